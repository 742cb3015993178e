package app

import (
	"sync"
	"time"
)

// idleAfter is how long without input before the user shows as away.
const idleAfter = 10 * time.Minute

// idlePoll is how often the tracker asks the desktop's idle clock, so a
// locked screen turns away within it and input elsewhere brings the user
// back within it.
const idlePoll = 5 * time.Second

// IdleSource is the desktop's idle clock (package desktop has one per
// platform): the time since the last input anywhere on the desktop, and
// whether the screen is locked or its saver is on.
type IdleSource interface {
	Idle() (since time.Duration, locked bool, err error)
}

// lockTeller is what a source adds when it may not know whether the
// screen is locked (a Wayland compositor tells no client); a source
// without it tells.
type lockTeller interface {
	TellsLock() bool
}

// Settings lines that say where the idle time comes from.
const (
	idleFromDesktopLine       = "Away after 10 minutes without input anywhere on this desktop, and at once when the screen locks."
	idleFromDesktopNoLockLine = "Away after 10 minutes without input anywhere on this desktop (this desktop does not tell Hallway when the screen locks)."
	idleFromWindowLine        = "Away after 10 minutes without input in Hallway only: this desktop does not report idle time."
)

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

// idleTracker calls changed(true) once the user has been idle for after
// (or at once when the desktop says the screen is locked), and
// changed(false) on the first activity following that. The window's own
// input comes through activity, which only notes the time; with a
// desktop source one timer polls it, otherwise the timer fires only when
// the quiet time would be up.
type idleTracker struct {
	clk     clock
	after   time.Duration
	src     IdleSource // nil: the window's input only
	changed func(idle bool)

	mu     sync.Mutex // guards last, idle, armed, stop and closed
	last   time.Time
	idle   bool
	armed  bool
	closed bool
	stop   func() bool
}

func newIdleTracker(clk clock, after time.Duration, src IdleSource, changed func(bool)) *idleTracker {
	t := &idleTracker{clk: clk, after: after, src: src, changed: changed, last: clk.Now()}
	t.mu.Lock()
	if src != nil {
		t.arm(min(idlePoll, after))
	} else {
		t.arm(after)
	}
	t.mu.Unlock()
	return t
}

// fromDesktop tells whether the desktop's idle clock is read.
func (t *idleTracker) fromDesktop() bool { return t.src != nil }

// tellsLock tells whether the desktop's idle clock also tells the lock.
func (t *idleTracker) tellsLock() bool {
	l, ok := t.src.(lockTeller)
	return t.src != nil && (!ok || l.TellsLock())
}

func (t *idleTracker) arm(d time.Duration) {
	if t.closed {
		return
	}
	t.armed = true
	t.stop = t.clk.AfterFunc(d, t.check)
}

func (t *idleTracker) check() {
	var since time.Duration
	locked, asked := false, false
	if t.src != nil {
		// Asked outside the lock: it is a round trip to the desktop.
		if s, l, err := t.src.Idle(); err == nil {
			since, locked, asked = s, l, true
		}
	}
	t.mu.Lock()
	t.armed = false
	if t.closed {
		t.mu.Unlock()
		return
	}
	quiet := t.clk.Now().Sub(t.last)
	if asked {
		quiet = min(quiet, since)
	}
	idle := locked || quiet >= t.after
	switch {
	case t.src != nil:
		t.arm(idlePoll)
	case !idle:
		t.arm(t.after - quiet)
	}
	// Without a desktop source an idle spell ends only through activity.
	became := idle != t.idle
	t.idle = idle
	t.mu.Unlock()
	if became {
		t.changed(idle)
	}
}

// activity records input in the window; it ends an idle spell.
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

// close stops the timer for good.
func (t *idleTracker) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stop != nil {
		t.stop()
	}
	t.closed = true
}
