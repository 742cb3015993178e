package cli

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"hallway/core"
	"hallway/node"
)

// runWindow opens the desktop window on the node the daemon flags
// describe. The window serves the same control API as the daemon, so
// every verb works against it; its node restarts in place on a workspace
// switch, and each start is logged like the daemon's.
func runWindow(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) > 0 {
		return errors.New("unknown command (see hallway help)")
	}
	level := slog.LevelInfo
	if p.bools["verbose"] {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := nodeConfig(dir, p, log)
	if err != nil {
		return err
	}
	err = env.RunWindow(ctx, NewWindowNode(cfg), log)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// WindowNode is the node supervisor as the window drives it: it runs the
// node (with the window's saved file settings) and implements the
// window's workspace operations. The window first picks a workspace
// (Create, Join or Leave), then asks for Restart, which switches to it
// live; Restart without a pending change restarts in the same workspace.
type WindowNode struct {
	cfg core.Config

	mu      sync.Mutex // guards sup, ctx and pending
	sup     *node.Supervisor
	ctx     context.Context
	pending *node.Change
}

// NewWindowNode prepares the window's node for cfg; Run starts it.
func NewWindowNode(cfg core.Config) *WindowNode { return &WindowNode{cfg: cfg} }

// Config is the node's configuration.
func (w *WindowNode) Config() core.Config { return w.cfg }

// Run runs the node until ctx ends, calling started with every core that
// comes up (the first, then the new one after each switch).
func (w *WindowNode) Run(ctx context.Context, started func(*WindowCore)) error {
	log := w.cfg.Logger
	sup := node.New(node.Config{Config: w.cfg, SavedFilePrefs: true, Started: func(svc *core.Service) {
		if log != nil {
			logRunning(ctx, log, svc, w.cfg)
		}
		started(&WindowCore{Service: svc, node: w})
	}})
	w.mu.Lock()
	w.sup, w.ctx = sup, ctx
	w.mu.Unlock()
	return sup.Run(ctx)
}

func (w *WindowNode) supervisor() (*node.Supervisor, context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sup, w.ctx
}

// WorkspaceInvite returns the current private workspace's invite code.
func (w *WindowNode) WorkspaceInvite() (string, bool, error) {
	if sup, _ := w.supervisor(); sup != nil {
		return sup.Invite()
	}
	return node.Invite(w.cfg.DataDir)
}

// CreateWorkspace picks a new private workspace and returns its code.
func (w *WindowNode) CreateWorkspace() (string, error) {
	ch, err := node.NewWorkspace(w.cfg.DataDir, true)
	if err != nil {
		return "", err
	}
	w.pick(ch)
	return ch.InviteCode(), nil
}

// JoinWorkspace picks the private workspace of an invite code.
func (w *WindowNode) JoinWorkspace(code string) error {
	ch, err := node.JoinWorkspace(code, true)
	if err != nil {
		return err
	}
	w.pick(ch)
	return nil
}

// LeaveWorkspace picks the open LAN workspace.
func (w *WindowNode) LeaveWorkspace() error {
	w.pick(node.LeaveWorkspace())
	return nil
}

func (w *WindowNode) pick(ch node.Change) {
	w.mu.Lock()
	w.pending = &ch
	w.mu.Unlock()
}

// Restart switches to the picked workspace, or restarts in the same one,
// in the background: the caller is often the window's own node.
func (w *WindowNode) Restart() {
	w.mu.Lock()
	ch := w.pending
	w.pending = nil
	w.mu.Unlock()
	sup, ctx := w.supervisor()
	if sup == nil {
		return
	}
	go func() {
		var err error
		if ch != nil {
			err = sup.Switch(ctx, *ch)
		} else {
			err = sup.Restart(ctx)
		}
		if err != nil && ctx.Err() == nil && w.cfg.Logger != nil {
			w.cfg.Logger.Error("restart the node", "err", err)
		}
	}()
}
