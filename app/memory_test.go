package app

import (
	"testing"
	"time"
)

// TestTrimmer: conversations drawn in quick succession give one trim,
// once the window has been quiet for the delay; a nil trimmer (the
// window under a test driver) does nothing.
func TestTrimmer(t *testing.T) {
	var nilTrimmer *trimmer
	nilTrimmer.soon()
	nilTrimmer.stop()

	trims := make(chan time.Time, 10)
	tr := &trimmer{delay: 50 * time.Millisecond, done: func(heap, _ uint64, _ time.Duration) {
		if heap == 0 {
			t.Error("no heap in use after the trim")
		}
		trims <- time.Now()
	}}
	start := time.Now()
	for range 3 {
		tr.soon()
	}
	select {
	case at := <-trims:
		if at.Sub(start) < tr.delay {
			t.Errorf("trimmed %s after the last draw, before the delay", at.Sub(start))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no trim")
	}
	select {
	case <-trims:
		t.Fatal("three draws in a row gave more than one trim")
	case <-time.After(4 * tr.delay):
	}

	tr.soon()
	tr.stop()
	select {
	case <-trims:
		t.Fatal("a stopped trim ran")
	case <-time.After(4 * tr.delay):
	}
}
