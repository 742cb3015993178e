package app

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"

	"hallway/core"
	hcrypto "hallway/crypto"
)

// ServeFunc runs a node and its control API until ctx ends, calling
// started once the node is up: the same function the daemon runs, so every
// `hallway` verb works against the window.
type ServeFunc func(ctx context.Context, cfg core.Config, started func(*core.Service)) error

// engine owns the node behind the window and restarts it when the
// workspace or the file policy changes, so the user never has to.
type engine struct {
	serve ServeFunc
	cfg   core.Config
	log   *slog.Logger
	// up is called off the UI goroutine with each node that comes up;
	// down when a node stops by itself (err is nil on a requested stop).
	up   func(Core)
	down func(error)

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

func (e *engine) start(parent context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cfg := e.cfg
	if p, err := core.ReadPrefs(parent, cfg.DataDir); err == nil {
		cfg.Files = core.ApplyFilePrefs(p, cfg.Files)
	} else {
		e.log.Warn("read settings", "err", err)
	}
	ctx, cancel := context.WithCancel(parent)
	done := make(chan struct{})
	e.cancel, e.done = cancel, done
	go func() {
		defer close(done)
		err := e.serve(ctx, cfg, func(svc *core.Service) { e.up(&svcCore{Service: svc, eng: e, parent: parent}) })
		if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) {
			err = nil
		}
		if ctx.Err() == nil || err != nil {
			e.down(err)
		}
	}()
}

// stop ends the node and waits until it has closed its data folder.
func (e *engine) stop() {
	e.mu.Lock()
	cancel, done := e.cancel, e.done
	e.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// restart stops the node and starts a new one on the same data folder.
func (e *engine) restart(parent context.Context) {
	e.stop()
	if parent.Err() == nil {
		e.start(parent)
	}
}

// svcCore adapts the core service to Core.
type svcCore struct {
	*core.Service
	eng    *engine
	parent context.Context
}

var _ Core = (*svcCore)(nil)

func (c *svcCore) Search(ctx context.Context, q SearchQuery) ([]SearchHit, error) {
	return searchCore(ctx, c.Service, q)
}

func (c *svcCore) WorkspaceInvite() (string, bool, error) {
	k, ok, err := core.ReadWorkspaceKey(c.DataDir())
	if err != nil || !ok {
		return "", false, err
	}
	return k.InviteCode(), true, nil
}

func (c *svcCore) CreateWorkspace() (string, error) {
	k, err := hcrypto.NewWorkspaceKey()
	if err != nil {
		return "", err
	}
	if err := core.WriteWorkspaceKey(c.DataDir(), k, true); err != nil {
		return "", err
	}
	return k.InviteCode(), nil
}

func (c *svcCore) JoinWorkspace(code string) error {
	k, err := hcrypto.ParseInviteCode(strings.Join(strings.Fields(code), ""))
	if err != nil {
		return userError("that invite code does not work: " + err.Error())
	}
	return core.WriteWorkspaceKey(c.DataDir(), k, true)
}

func (c *svcCore) LeaveWorkspace() error { return core.RemoveWorkspaceKey(c.DataDir()) }

// Restart runs in the background: the caller is often the node itself.
func (c *svcCore) Restart() { go c.eng.restart(c.parent) }

type userError string

func (e userError) Error() string { return string(e) }

// message is the sentence to show for err.
func message(err error) string {
	var ue userError
	if errors.As(err, &ue) {
		return string(ue)
	}
	return core.UserMessage(err)
}
