package app

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeDesktop is a desktop idle clock driven by the test: input anywhere
// on the desktop, a lock, and a broken source.
type fakeDesktop struct {
	mu     sync.Mutex
	last   time.Time
	locked bool
	broken bool
}

func newFakeDesktop() *fakeDesktop { return &fakeDesktop{last: time.Now()} }

func (d *fakeDesktop) Idle() (time.Duration, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.broken {
		return 0, false, errors.New("display gone")
	}
	return time.Since(d.last), d.locked, nil
}

func (d *fakeDesktop) input() { d.mu.Lock(); d.last = time.Now(); d.mu.Unlock() }
func (d *fakeDesktop) lock(on bool) {
	d.mu.Lock()
	d.locked = on
	d.mu.Unlock()
}

type verdicts struct {
	mu   sync.Mutex
	seen []bool
}

func (v *verdicts) add(idle bool) { v.mu.Lock(); v.seen = append(v.seen, idle); v.mu.Unlock() }
func (v *verdicts) String() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return fmt.Sprint(v.seen)
}

// Input in another application keeps the user available; only the whole
// desktop's quiet time turns them away, and input anywhere brings them
// back without touching the window.
func TestIdleFromDesktopInputElsewhere(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newFakeDesktop()
		var v verdicts
		tr := newIdleTracker(realClock{}, idleAfter, d, v.add)
		defer tr.close()
		for range 4 { // 32 minutes of typing in a spreadsheet
			time.Sleep(8 * time.Minute)
			d.input()
		}
		synctest.Wait()
		if v.String() != "[]" {
			t.Fatalf("away while working elsewhere: %v", v.String())
		}
		time.Sleep(idleAfter + idlePoll)
		synctest.Wait()
		if v.String() != "[true]" {
			t.Fatalf("after the desktop's quiet time: %v", v.String())
		}
		d.input()
		time.Sleep(idlePoll)
		synctest.Wait()
		if v.String() != "[true false]" {
			t.Fatalf("after input elsewhere: %v", v.String())
		}
	})
}

// A locked screen means away at once, however recent the input; the
// return comes with the unlock.
func TestIdleLockedScreenAwayAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newFakeDesktop()
		var v verdicts
		tr := newIdleTracker(realClock{}, idleAfter, d, v.add)
		defer tr.close()
		time.Sleep(time.Minute)
		d.input()
		d.lock(true)
		time.Sleep(idlePoll)
		synctest.Wait()
		if v.String() != "[true]" {
			t.Fatalf("locked: %v", v.String())
		}
		time.Sleep(30 * time.Minute)
		synctest.Wait()
		if v.String() != "[true]" {
			t.Fatalf("still locked: %v", v.String())
		}
		d.lock(false)
		d.input()
		time.Sleep(idlePoll)
		synctest.Wait()
		if v.String() != "[true false]" {
			t.Fatalf("unlocked: %v", v.String())
		}
	})
}

// A source that stops answering leaves the window's own input in charge.
func TestIdleBrokenSourceFallsBackToWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newFakeDesktop()
		d.broken = true
		var v verdicts
		tr := newIdleTracker(realClock{}, idleAfter, d, v.add)
		defer tr.close()
		time.Sleep(9 * time.Minute)
		tr.activity()
		time.Sleep(9 * time.Minute)
		synctest.Wait()
		if v.String() != "[]" {
			t.Fatalf("idle too early: %v", v.String())
		}
		time.Sleep(time.Minute + idlePoll)
		synctest.Wait()
		if v.String() != "[true]" {
			t.Fatalf("after the window's quiet time: %v", v.String())
		}
		tr.activity()
		if v.String() != "[true false]" {
			t.Fatalf("after window input: %v", v.String())
		}
	})
}

// eventDesktop plays a Wayland compositor's idle protocol as package
// desktop reads it: the compositor tells only that the user has been
// quiet for the threshold, so the source reports 0 before that and the
// threshold plus the time since after; it cannot tell the lock.
type eventDesktop struct {
	*fakeDesktop
	threshold time.Duration
}

func (d eventDesktop) Idle() (time.Duration, bool, error) {
	quiet, _, err := d.fakeDesktop.Idle()
	if quiet < d.threshold {
		quiet = 0
	}
	return quiet, false, err
}

func (eventDesktop) TellsLock() bool { return false }

// A source that knows of idleness only past a threshold shorter than
// the away time (desktop.WaylandThreshold, a minute) turns the user away
// after the same ten quiet minutes, and back at the first input.
func TestIdleFromEventDesktop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := eventDesktop{newFakeDesktop(), time.Minute}
		var v verdicts
		tr := newIdleTracker(realClock{}, idleAfter, d, v.add)
		defer tr.close()
		for range 4 { // 36 minutes of reading, a click now and then
			time.Sleep(9 * time.Minute)
			d.input()
		}
		time.Sleep(idleAfter - idlePoll)
		synctest.Wait()
		if v.String() != "[]" {
			t.Fatalf("away while working elsewhere: %v", v.String())
		}
		time.Sleep(2 * idlePoll)
		synctest.Wait()
		if v.String() != "[true]" {
			t.Fatalf("after ten quiet minutes: %v", v.String())
		}
		d.input()
		time.Sleep(idlePoll)
		synctest.Wait()
		if v.String() != "[true false]" {
			t.Fatalf("after input elsewhere: %v", v.String())
		}
	})
}

// The settings say where the idle time comes from, and whether the lock
// counts.
func TestIdleSettingsLine(t *testing.T) {
	u := newTestUI(t, office())
	if got := u.idleLine(); got != idleFromWindowLine {
		t.Fatalf("without a desktop source: %q", got)
	}
	u.useIdle(newFakeDesktop())
	if got := u.idleLine(); got != idleFromDesktopLine {
		t.Fatalf("with a desktop source: %q", got)
	}
	u.useIdle(eventDesktop{newFakeDesktop(), time.Minute})
	if got := u.idleLine(); got != idleFromDesktopNoLockLine {
		t.Fatalf("with a source that cannot tell the lock: %q", got)
	}
}

// A status set while the user was away on their own (busy from the
// command line, say) is not undone by their return.
func TestIdleReturnKeepsAStatusSetMeanwhile(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	u.idleChanged(true)
	if f.self.Status != "away" || !u.autoAway {
		t.Fatalf("status %q auto %v", f.self.Status, u.autoAway)
	}
	u.self.Status = "busy" // `hallway status busy` while away
	u.idleChanged(false)
	if f.self.Status != "away" {
		t.Fatalf("the return changed the status to %q", f.self.Status)
	}
}
