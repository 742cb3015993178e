package app

import (
	"testing"
	"time"
)

type trim struct {
	drawn bool
	at    time.Time
}

func newTestTrimmer(delay, every time.Duration) (*trimmer, chan trim) {
	trims := make(chan trim, 100)
	return &trimmer{delay: delay, every: every, done: func(drawn bool, heap, _ uint64, _ time.Duration) {
		if heap == 0 {
			panic("no heap in use after a trim")
		}
		trims <- trim{drawn, time.Now()}
	}}, trims
}

func nextTrim(t *testing.T, trims chan trim) trim {
	t.Helper()
	select {
	case tr := <-trims:
		return tr
	case <-time.After(10 * time.Second):
		t.Fatal("no trim")
		return trim{}
	}
}

// TestTrimAfterDraw: conversations drawn in quick succession give one
// trim, once the window has been quiet for the delay; a nil trimmer (the
// window under a test driver) does nothing.
func TestTrimAfterDraw(t *testing.T) {
	var nilTrimmer *trimmer
	nilTrimmer.start()
	nilTrimmer.soon()
	nilTrimmer.stop()

	tr, trims := newTestTrimmer(50*time.Millisecond, time.Hour)
	defer tr.stop()
	tr.start()
	start := time.Now()
	for range 3 {
		tr.soon()
	}
	got := nextTrim(t, trims)
	if !got.drawn || got.at.Sub(start) < tr.delay {
		t.Errorf("trim %+v, %s after the last draw", got, got.at.Sub(start))
	}
	select {
	case got := <-trims:
		t.Fatalf("three draws in a row gave a second trim %+v", got)
	case <-time.After(4 * tr.delay):
	}
}

// TestTrimEvery: the window trims periodically, drawn or not, the period
// counted from the last trim; stopped, it trims no more.
func TestTrimEvery(t *testing.T) {
	tr, trims := newTestTrimmer(10*time.Millisecond, 60*time.Millisecond)
	tr.start()
	for range 2 {
		if got := nextTrim(t, trims); got.drawn {
			t.Fatalf("a periodic trim reported as after a draw")
		}
	}
	tr.soon()
	// A periodic trim already under way may report first.
	if got := nextTrim(t, trims); !got.drawn {
		if got = nextTrim(t, trims); !got.drawn {
			t.Fatal("the trim after a draw reported as periodic")
		}
	}
	if got := nextTrim(t, trims); got.drawn {
		t.Fatal("no periodic trim after the one after a draw")
	}
	tr.stop()
	select {
	case <-trims:
		t.Fatal("a stopped trimmer trimmed")
	case <-time.After(3 * tr.every):
	}
}
