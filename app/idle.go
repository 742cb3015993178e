package app

import (
	"sync"
	"time"
)

// idleAfter is how long without input before the user shows as away.
const idleAfter = 10 * time.Minute

// clock is the time source of the idle tracker, so tests can run it in a
// synctest bubble or with a fake.
type clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// idleTracker calls changed(true) once the user has been idle for after,
// and changed(false) on the first activity following that. activity is
// cheap: it only notes the time; one timer re-arms itself.
type idleTracker struct {
	clk     clock
	after   time.Duration
	changed func(idle bool)

	mu    sync.Mutex // guards last, idle, armed and stop
	last  time.Time
	idle  bool
	armed bool
	stop  func() bool
}

func newIdleTracker(clk clock, after time.Duration, changed func(bool)) *idleTracker {
	t := &idleTracker{clk: clk, after: after, changed: changed, last: clk.Now()}
	t.arm(after)
	return t
}

func (t *idleTracker) arm(d time.Duration) {
	t.armed = true
	t.stop = t.clk.AfterFunc(d, t.check)
}

func (t *idleTracker) check() {
	t.mu.Lock()
	t.armed = false
	quiet := t.clk.Now().Sub(t.last)
	if quiet < t.after {
		t.arm(t.after - quiet)
		t.mu.Unlock()
		return
	}
	became := !t.idle
	t.idle = true
	t.mu.Unlock()
	if became {
		t.changed(true)
	}
}

// activity records input; it ends an idle spell.
func (t *idleTracker) activity() {
	t.mu.Lock()
	t.last = t.clk.Now()
	back := t.idle
	t.idle = false
	if !t.armed {
		t.arm(t.after)
	}
	t.mu.Unlock()
	if back {
		t.changed(false)
	}
}

// close stops the timer.
func (t *idleTracker) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stop != nil {
		t.stop()
	}
	t.armed = true // never re-arm
}
