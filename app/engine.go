package app

import (
	"context"
	"errors"
	"sync"

	"hallway/chat"
)

// Node keeps the window's node running: the node supervisor, adapted by
// the caller. Run returns when ctx ends (nil) or the node fails; it calls
// started, off the UI goroutine, with every core that comes up — the
// first, and the new one after each restart.
type Node interface {
	Run(ctx context.Context, started func(Core)) error
}

// engine runs the node behind the window and tells the window about each
// core that comes up, so a restart (a workspace switch, a new file
// policy) attaches the new one without the user doing anything.
type engine struct {
	node Node
	// up is called off the UI goroutine with each core that comes up;
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
		err := e.node.Run(ctx, e.up)
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

// message is the sentence to show for err.
func message(err error) string { return chat.UserMessage(err) }
