package app

import (
	"context"
	"errors"
	"sync"

	"hallway/core"
)

// Node keeps the window's node running and switches its workspace: the
// node supervisor, adapted by the caller. Run returns when ctx ends (nil)
// or the node fails; it calls started, off the UI goroutine, with every
// service that comes up — the first, and the new one after each restart.
type Node interface {
	Run(ctx context.Context, started func(*core.Service)) error
	Workspace
}

// engine runs the node behind the window and tells the window about each
// service that comes up, so a restart (a workspace switch, a new file
// policy) attaches the new one without the user doing anything.
type engine struct {
	node Node
	// up is called off the UI goroutine with each node that comes up;
	// down when the node stops by itself (err is nil on a requested stop).
	up   func(Core)
	down func(error)

	mu     sync.Mutex // guards cancel and done
	cancel context.CancelFunc
	done   chan struct{}
}

func (e *engine) start(parent context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ctx, cancel := context.WithCancel(parent)
	done := make(chan struct{})
	e.cancel, e.done = cancel, done
	go func() {
		defer close(done)
		err := e.node.Run(ctx, func(svc *core.Service) { e.up(&svcCore{Service: svc, Workspace: e.node}) })
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

// svcCore adapts one running core service, and the node's workspace
// operations, to Core.
type svcCore struct {
	*core.Service
	Workspace
}

var _ Core = (*svcCore)(nil)

func (c *svcCore) Search(ctx context.Context, q SearchQuery) ([]SearchHit, error) {
	return searchCore(ctx, c.Service, q)
}

// message is the sentence to show for err.
func message(err error) string { return core.UserMessage(err) }
