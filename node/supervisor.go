package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"hallway/control"
	"hallway/core"
)

// Config configures a Supervisor. Zero values are the documented defaults.
type Config struct {
	// Node is the service's configuration (data folder, name, addresses,
	// discovery, file policy, logger).
	core.Config
	// SavedFilePrefs applies the file settings saved in the data folder
	// (the window's settings) over Files at every start.
	SavedFilePrefs bool
	// Started, when set, is called with every service that comes up: the
	// first, and the new one after each switch or restart. It runs on the
	// supervisor's goroutine and must not block.
	Started func(*core.Service)
}

// Supervisor runs one node for a data folder and keeps it running across
// workspace switches, restarts and moves to a new network key, without
// the process exiting.
type Supervisor struct {
	cfg      Config
	log      *slog.Logger
	requests chan restartRequest
	done     chan struct{} // closed when Run returns

	mu  sync.Mutex // guards svc
	svc *core.Service
}

// restartRequest asks Run to close the service, apply change (nil keeps
// the workspace) and open a new one; Run answers on reply once the new
// service runs or the restart failed.
type restartRequest struct {
	change *Change
	reply  chan error
}

// New returns a supervisor for cfg; Run starts it.
func New(cfg Config) *Supervisor {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.DataDir == "" {
		if d, err := core.DefaultDataDir(); err == nil {
			cfg.DataDir = d
		}
	}
	return &Supervisor{cfg: cfg, log: cfg.Logger, requests: make(chan restartRequest), done: make(chan struct{})}
}

// DataDir is the data folder the node uses.
func (s *Supervisor) DataDir() string { return s.cfg.DataDir }

// Current is the service running now, or nil before the first start and
// while the node restarts.
func (s *Supervisor) Current() *core.Service {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.svc
}

func (s *Supervisor) setCurrent(svc *core.Service) {
	s.mu.Lock()
	s.svc = svc
	s.mu.Unlock()
}

// Run opens the node, serves its control API on the socket in the data
// folder and runs it until ctx ends or the node fails. Restart and the
// workspace methods replace the service in between; the control socket
// stays open throughout (see control.ServeSwitching for what a client sees
// during the switch). Run returns nil when ctx ends.
func (s *Supervisor) Run(ctx context.Context) error {
	defer close(s.done)
	svc, err := s.open(ctx)
	if err != nil {
		return err
	}
	// The listener is made while the first service holds the data folder,
	// so a socket file found there is stale.
	l, err := control.Listen(core.SocketPath(s.cfg.DataDir))
	if err != nil {
		svc.Close()
		return err
	}
	apiCtx, stopAPI := context.WithCancel(ctx)
	apiErr := make(chan error, 1)
	go func() { apiErr <- control.ServeSwitching(apiCtx, l, (*switcher)(s), s.log) }()
	runErr := s.keepRunning(ctx, svc)
	stopAPI()
	if err := <-apiErr; err != nil && runErr == nil {
		runErr = fmt.Errorf("control API: %w", err)
	}
	if errors.Is(runErr, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return runErr
}

// keepRunning runs svc, and each service that replaces it, until ctx ends
// or one fails.
func (s *Supervisor) keepRunning(ctx context.Context, svc *core.Service) error {
	for {
		s.setCurrent(svc)
		if s.cfg.Started != nil {
			s.cfg.Started(svc)
		}
		runCtx, stop := context.WithCancel(ctx)
		ran := make(chan error, 1)
		go func() { ran <- svc.Run(runCtx) }()
		select {
		case err := <-ran:
			stop()
			s.setCurrent(nil)
			if !errors.Is(err, core.ErrNetworkKeyChanged) || ctx.Err() != nil {
				return err
			}
			// The workspace moved to a new network key, which the data
			// folder holds now: open it again on that key.
			next, err := s.open(ctx)
			if err != nil {
				return fmt.Errorf("restart on the new network key: %w", err)
			}
			svc = next
		case req := <-s.requests:
			// Closing first: the old service's event streams end and
			// colleagues see it offline before the new one appears.
			s.setCurrent(nil)
			stop()
			if err := <-ran; err != nil {
				s.log.Warn("the node stopped with an error before restarting", "err", err)
			}
			var changeErr error
			if req.change != nil {
				changeErr = req.change.Apply(s.cfg.DataDir)
			}
			if ctx.Err() != nil {
				req.reply <- ctx.Err()
				return nil
			}
			next, err := s.open(ctx)
			if err != nil {
				req.reply <- err
				return fmt.Errorf("restart: %w", err)
			}
			svc = next
			req.reply <- changeErr
		}
	}
}

// open opens the service with the configured options, plus the saved file
// settings when asked.
func (s *Supervisor) open(ctx context.Context) (*core.Service, error) {
	cfg := s.cfg.Config
	if s.cfg.SavedFilePrefs {
		if p, err := core.ReadPrefs(ctx, cfg.DataDir); err == nil {
			cfg.Files = core.ApplyFilePrefs(p, cfg.Files)
		} else {
			s.log.Warn("read settings", "err", err)
		}
	}
	return core.Open(ctx, cfg)
}

// Restart closes the service and opens it again on the same data folder
// (a changed file policy applies then). It returns once the new service
// runs.
func (s *Supervisor) Restart(ctx context.Context) error { return s.restart(ctx, nil) }

// errStopped: the supervisor is not running (not started yet, or ended).
var errStopped = errors.New("Hallway is not running")

func (s *Supervisor) restart(ctx context.Context, change *Change) error {
	req := restartRequest{change: change, reply: make(chan error, 1)}
	select {
	case s.requests <- req:
	case <-s.done:
		return errStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, the request is answered even if ctx ends meanwhile,
	// unless the supervisor itself stops.
	select {
	case err := <-req.reply:
		return err
	case <-s.done:
		return errStopped
	}
}
