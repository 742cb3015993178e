package storage

import "sync/atomic"

// writes counts the writes to one part of the store, begun and ended, so
// that readers can cache what they read of it: a value read while no
// write was under way, from before the read to after it, is the state
// as of that many writes, and stays true until the next write begins.
// A value read while a write was under way may be older or newer than
// its commit, and is never kept.
type writes struct{ begun, ended atomic.Uint64 }

// begin is called before a write may become visible to readers (before
// a transaction's commit: what it wrote until then no reader sees), end
// after it, committed or not. begin returns the writes begun, this one
// included: while settled returns that count, this write is the last.
func (w *writes) begin() uint64 { return w.begun.Add(1) }
func (w *writes) end()          { w.ended.Add(1) }

// settled returns how many writes ended, and whether none is under way.
func (w *writes) settled() (n uint64, ok bool) {
	n = w.ended.Load() // first: begun is never below it
	return n, w.begun.Load() == n
}

// last reports whether the write whose begin returned at is the last
// write and has ended, with none begun since: what it wrote is then the
// state of this part of the store at count at, and stays so while
// settled returns at.
func (w *writes) last(at uint64) bool {
	n, ok := w.settled()
	return ok && n == at
}

// still reports whether no write began since settled returned n.
func (w *writes) still(n uint64) bool { return w.begun.Load() == n }
