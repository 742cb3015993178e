package storage

import (
	"context"
	"sync/atomic"
	"time"
)

// afterCommits runs work in the background a pause after the commits that
// wake it: a burst of commits wakes it once. The store's checkpoints and
// its search indexing run this way, off the path of the commits.
//
// The pause is calm while the work finds little to do each run (a
// conversation: what a few seconds bring costs little more to handle
// than what one brings), and hurried after a run that found much (an
// import, a large sync), so that what piles up meanwhile stays small.
type afterCommits struct {
	calm, hurried time.Duration
	// work does the job and reports whether it found much to do.
	work   func(context.Context) (busy bool, err error)
	busy   atomic.Bool // what the last run reported
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
	// ran, when set (tests), is told of each run and its error.
	ran func(error)
}

func newAfterCommits(calm, hurried time.Duration, work func(context.Context) (bool, error)) *afterCommits {
	return &afterCommits{calm: calm, hurried: hurried, work: work, wake: make(chan struct{}, 1), done: make(chan struct{})}
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

// pause is how long the next run waits after the commit that wakes it.
func (a *afterCommits) pause() time.Duration {
	if a.busy.Load() {
		return a.hurried
	}
	return a.calm
}

// once runs the work now, and notes how soon the next run is due.
func (a *afterCommits) once(ctx context.Context) error {
	busy, err := a.work(ctx)
	if err == nil {
		a.busy.Store(busy)
	}
	return err
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
		err := a.once(ctx)
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
