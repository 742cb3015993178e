package fleet

import (
	"context"
	"fmt"
	"time"

	"hallway/control"
)

// Watcher follows a daemon's event stream so a test can wait for a
// condition to hold, re-checking it after every event.
type Watcher struct {
	d      *Daemon
	what   string
	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{}
	done   chan error
}

// Watch opens the daemon's event stream and returns once it is live, so
// nothing that happens afterwards can be missed.
func (d *Daemon) Watch(what string, timeout time.Duration) *Watcher {
	d.T.Helper()
	w, err := d.watch(what, timeout)
	if err != nil {
		d.T.Fatal(err)
	}
	return w
}

// watch is Watch returning the failure.
func (d *Daemon) watch(what string, timeout time.Duration) (*Watcher, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	w := &Watcher{d: d, what: what, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1), done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		w.done <- d.Client().Events(ctx, func() { close(ready) }, func(control.WireEvent) bool {
			select {
			case w.wake <- struct{}{}:
			default:
			}
			return true
		})
	}()
	select {
	case <-ready:
	case err := <-w.done:
		cancel()
		return nil, fmt.Errorf("%s: event stream for %q: %v", d.Name, what, err)
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: no event stream for %q", d.Name, what)
	}
	return w, nil
}

// Until returns once cond holds, failing the test at the watcher's deadline.
func (w *Watcher) Until(cond func() bool) {
	w.d.T.Helper()
	if err := w.UntilErr(cond); err != nil {
		w.d.T.Fatal(err)
	}
}

// UntilErr is Until returning the failure.
func (w *Watcher) UntilErr(cond func() bool) error {
	defer w.cancel()
	// A condition may also turn true without an event (a count the node
	// keeps quietly): re-check once a second as well.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for !cond() {
		select {
		case <-w.wake:
		case <-tick.C:
		case err := <-w.done:
			if w.ctx.Err() != nil {
				return fmt.Errorf("%s: timed out waiting for %s", w.d.Name, w.what)
			}
			return fmt.Errorf("%s: event stream ended while waiting for %s: %v", w.d.Name, w.what, err)
		case <-w.ctx.Done():
			if cond() {
				return nil
			}
			return fmt.Errorf("%s: timed out waiting for %s", w.d.Name, w.what)
		}
	}
	return nil
}

// WaitFor re-checks cond after each event of the daemon until it holds,
// or fails the test after timeout; it returns how long it took.
func (d *Daemon) WaitFor(what string, timeout time.Duration, cond func() bool) time.Duration {
	d.T.Helper()
	start := time.Now()
	d.Watch(what, timeout).Until(cond)
	return time.Since(start)
}

// WaitForErr is WaitFor returning the failure.
func (d *Daemon) WaitForErr(what string, timeout time.Duration, cond func() bool) (time.Duration, error) {
	start := time.Now()
	err := d.Watch(what, timeout).UntilErr(cond)
	return time.Since(start), err
}

// WaitThroughRestarts is WaitFor for a daemon that may restart its node
// meanwhile (a move to a new network key): each time its event stream
// ends, or cannot open while it restarts, it watches again, until cond
// holds or timeout.
func (d *Daemon) WaitThroughRestarts(what string, timeout time.Duration, cond func() bool) time.Duration {
	d.T.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	retry := time.NewTicker(100 * time.Millisecond)
	defer retry.Stop()
	for {
		left := time.Until(deadline)
		if left <= 0 {
			d.T.Fatalf("%s: timed out waiting for %s", d.Name, what)
		}
		w, err := d.watch(what, left)
		if err == nil {
			if err = w.UntilErr(cond); err == nil {
				return time.Since(start)
			}
		}
		if cond() {
			return time.Since(start)
		}
		<-retry.C // the node restarts: watch again in a moment
	}
}
