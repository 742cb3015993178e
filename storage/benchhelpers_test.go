package storage

import (
	"fmt"
	"testing"
)

// storeOfColleagues returns a store that knows n colleagues, each named
// Colleague and reached at addrs: the office the colleagues' caches are
// measured in.
func storeOfColleagues(b *testing.B, n int, addrs ...string) *Store {
	b.Helper()
	s := newTestStore(b)
	for i := range n {
		p := Peer{ID: fmt.Sprintf("12D3KooWColleague%03d", i), Name: "Colleague", Addrs: addrs}
		if err := s.UpsertPeer(b.Context(), p); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// againstBaseline runs bench twice: the way measured, named name, then
// the way before (baseline true), named baseline, so that both figures
// come from the same run.
func againstBaseline(b *testing.B, name, baseline string, bench func(b *testing.B, baseline bool)) {
	b.Run(name, func(b *testing.B) { bench(b, false) })
	b.Run(baseline+" (baseline)", func(b *testing.B) { bench(b, true) })
}
