package storage

import (
	"context"
	"time"
)

// afterCommits runs work in the background a pause after the commits that
// wake it: a burst of commits wakes it once. The store's checkpoints and
// its search indexing run this way, off the path of the commits.
type afterCommits struct {
	pause  func() time.Duration // read before each wait
	work   func(context.Context) error
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
	// ran, when set (tests), is told of each run and its error.
	ran func(error)
}

func newAfterCommits(pause time.Duration, work func(context.Context) error) *afterCommits {
	return &afterCommits{pause: func() time.Duration { return pause }, work: work, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// start runs a until stop.
func (a *afterCommits) start() *afterCommits {
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	go a.run(ctx)
	return a
}

// poke tells a that a transaction committed.
func (a *afterCommits) poke() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func (a *afterCommits) run(ctx context.Context) {
	defer close(a.done)
	pause := time.NewTimer(0)
	<-pause.C
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.wake:
		}
		pause.Reset(a.pause())
		select {
		case <-ctx.Done():
			return
		case <-pause.C:
		}
		err := a.work(ctx)
		if a.ran != nil {
			a.ran(err)
		}
	}
}

// stop ends a once a run under way has ended.
func (a *afterCommits) stop() {
	a.cancel()
	<-a.done
}
