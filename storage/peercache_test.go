package storage

import (
	"fmt"
	"sync"
	"testing"
)

// Readers of a colleague's row, alone or in the list, never get a row
// older than one read before them, while the row is written over and
// over: what a read overlapping a write got is not kept for later reads.
func TestPeerReadsNeverGoBack(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	status := func(i int) string { return fmt.Sprintf("n%04d", i) }
	write := func(i int) {
		t.Helper()
		if err := s.UpsertPeer(ctx, Peer{ID: bob, Name: "Bob", StatusText: status(i)}); err != nil {
			t.Fatal(err)
		}
	}
	one := func() (string, error) {
		p, _, err := s.Peer(ctx, bob)
		return p.StatusText, err
	}
	list := func() (string, error) {
		all, err := s.Peers(ctx)
		if err != nil || len(all) != 1 {
			return "", fmt.Errorf("peers %v: %w", all, err)
		}
		return all[0].StatusText, nil
	}
	write(0)

	// The latest status any read returned, kept in step with the reads:
	// a read that began after another returned must not return less.
	var mu sync.Mutex
	latest := status(0)
	var readers sync.WaitGroup
	done := make(chan struct{})
	for i := range 6 {
		read := []func() (string, error){one, list}[i%2]
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				mu.Lock()
				floor := latest
				mu.Unlock()
				got, err := read()
				if err != nil {
					t.Error(err)
					return
				}
				if got < floor {
					t.Errorf("a read returned %s after another had returned %s", got, floor)
					return
				}
				mu.Lock()
				latest = max(latest, got)
				mu.Unlock()
			}
		})
	}
	for i := 1; i <= 300 && !t.Failed(); i++ {
		write(i)
		for _, read := range []func() (string, error){one, list} {
			if got, err := read(); err != nil || got != status(i) {
				t.Fatalf("after writing %s a read returned %q, %v", status(i), got, err)
			}
		}
	}
	close(done)
	readers.Wait()
}
