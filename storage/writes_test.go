package storage

import "testing"

// A write is the last only once it ended, and only until another begins:
// a write that began after it and ended, or one still under way, makes
// what it wrote possibly old.
func TestWriteIsLastUntilAnotherBegins(t *testing.T) {
	var w writes
	a := w.begin()
	if w.last(a) {
		t.Fatal("a write under way is the last")
	}
	w.end()
	if !w.last(a) {
		t.Fatal("a write that ended, with none after it, is not the last")
	}
	b := w.begin()
	if w.last(a) || w.last(b) {
		t.Fatal("with a write under way, one is the last")
	}
	w.end()
	if w.last(a) {
		t.Fatal("a write followed by another is still the last")
	}
	if !w.last(b) {
		t.Fatal("the write after it is not the last")
	}
	// Two under way at once (begun, then ended in the other order).
	c := w.begin()
	d := w.begin()
	w.end()
	if w.last(c) || w.last(d) {
		t.Fatal("with one of two writes under way, one is the last")
	}
	w.end()
	if w.last(c) || !w.last(d) {
		t.Fatal("of two writes, the one begun first is the last, or the one begun after is not")
	}
}
