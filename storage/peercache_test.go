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

	stop := readersNeverGoBack(t, status(0), one, list, one, list, one, list)
	for i := 1; i <= 300 && !t.Failed(); i++ {
		write(i)
		for _, read := range []func() (string, error){one, list} {
			if got, err := read(); err != nil || got != status(i) {
				t.Fatalf("after writing %s a read returned %q, %v", status(i), got, err)
			}
		}
	}
	stop()
}

// readersNeverGoBack starts a reader for each of reads, reading over and
// over until stop is called, and fails the test if a read that began
// after another returned gets less than it did (first: what the store
// held before them).
func readersNeverGoBack(t *testing.T, first string, reads ...func() (string, error)) (stop func()) {
	t.Helper()
	var mu sync.Mutex
	latest := first // the latest any read returned, kept in step with the reads
	var readers sync.WaitGroup
	done := make(chan struct{})
	for _, read := range reads {
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
	return func() {
		close(done)
		readers.Wait()
	}
}

// A colleague's row as a write left it is what the next read gets,
// without reading it again; with writes of the same row racing, what is
// read once they are done is what the table holds.
func TestWrittenRowIsReadFromTheCache(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	if err := s.UpsertPeer(ctx, Peer{ID: bob, Name: "Bob", Addrs: []string{"/ip4/10.0.0.2/tcp/4001"}}); err != nil {
		t.Fatal(err)
	}
	// A profile with a status alone: the row kept its name and address.
	if err := s.UpsertPeer(ctx, Peer{ID: bob, Status: "away"}); err != nil {
		t.Fatal(err)
	}
	n, settled := s.people.settled()
	got, hit := s.peers.get(bob, n)
	if !settled || !hit {
		t.Fatalf("the row just written is not in the cache (settled %v, hit %v)", settled, hit)
	}
	if got.Name != "Bob" || got.Status != "away" || len(got.Addrs) != 1 {
		t.Fatalf("cached %+v, want Bob away with his address kept", got)
	}

	var wg sync.WaitGroup
	for _, w := range []string{"a", "b", "c"} {
		wg.Go(func() {
			for i := range 150 {
				if err := s.UpsertPeer(ctx, Peer{ID: bob, StatusText: fmt.Sprintf("%s%04d", w, i)}); err != nil {
					t.Error(err)
					return
				}
				if _, _, err := s.Peer(ctx, bob); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	var stored string
	if err := s.reader.QueryRowContext(ctx, `SELECT status_text FROM peers WHERE id = ?`, bob).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	p, _, err := s.Peer(ctx, bob)
	if err != nil || p.StatusText != stored {
		t.Fatalf("read %q (%v) once the writes were done, the table holds %q", p.StatusText, err, stored)
	}
}

// A write of one colleague's row leaves the rows of the others cached:
// a read of Cat after Dan's profile was written is served from what was
// read of Cat before (here, a change made behind the cache's back does
// not show), while Dan's row and the list follow the write.
func TestWriteOfOneColleagueKeepsTheOthersCached(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	for _, p := range []Peer{{ID: bob, Name: "Bob"}, {ID: cat, Name: "Cat", StatusText: "cached"}} {
		if err := s.UpsertPeer(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if p, ok, err := s.Peer(ctx, cat); err != nil || !ok || p.StatusText != "cached" {
		t.Fatalf("Peer(cat) = %+v, %v, %v", p, ok, err)
	}
	if _, err := s.writer.ExecContext(ctx, `UPDATE peers SET status_text = 'behind the cache' WHERE id = ?`, cat); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertPeer(ctx, Peer{ID: dan, Name: "Dan"}); err != nil {
		t.Fatal(err)
	}
	if p, _, err := s.Peer(ctx, cat); err != nil || p.StatusText != "cached" {
		t.Errorf("Peer(cat) after Dan's write = %q, %v; want the row cached before it", p.StatusText, err)
	}
	if p, ok, err := s.Peer(ctx, dan); err != nil || !ok || p.Name != "Dan" {
		t.Errorf("Peer(dan) = %+v, %v, %v", p, ok, err)
	}
	if all, err := s.Peers(ctx); err != nil || len(all) != 3 {
		t.Errorf("Peers after Dan's write = %v, %v; want three", all, err)
	}
	// Another kind of write to colleagues (a verification) empties it.
	if err := s.SetVerified(ctx, Verification{Peer: bob, Name: "Bob", Fingerprint: "f"}); err != nil {
		t.Fatal(err)
	}
	if p, _, err := s.Peer(ctx, cat); err != nil || p.StatusText != "behind the cache" {
		t.Errorf("Peer(cat) after a verification = %q, %v; want the row as stored", p.StatusText, err)
	}
}

// What reading a colleague's row costs right after another colleague's
// profile was written, as while an office arrives: from the rows cached
// before the write, beside the same read with the cache emptied, as every
// write emptied it before.
func BenchmarkPeerAfterAnotherWrite(b *testing.B) {
	againstBaseline(b, "kept", "emptied", func(b *testing.B, emptied bool) {
		ctx := b.Context()
		s := storeOfColleagues(b, 200)
		if _, _, err := s.Peer(ctx, "12D3KooWColleague007"); err != nil {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			if err := s.UpsertPeer(ctx, Peer{ID: fmt.Sprintf("12D3KooWNewcomer%06d", i), Name: "Newcomer"}); err != nil {
				b.Fatal(err)
			}
			if emptied {
				s.peers.mu.Lock()
				s.peers.rows = nil
				s.peers.mu.Unlock()
			}
			b.StartTimer()
			if _, ok, err := s.Peer(ctx, "12D3KooWColleague007"); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
}

// A colleague connected before its profile arrived is asked for before it
// has a row: the list of names kept answers that it has none without
// asking the table, and never once the colleague's profile is written,
// while readers ask again and again.
func TestNotMetYetIsAnsweredFromTheNames(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	const cat = "12D3KooWCat"
	if err := s.UpsertPeer(ctx, Peer{ID: bob, Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PeerNames(ctx); err != nil { // the naming of colleagues reads it
		t.Fatal(err)
	}
	if !s.unknown(cat) || s.unknown(bob) {
		t.Fatalf("unknown: Cat %v, Bob %v; want Cat alone", s.unknown(cat), s.unknown(bob))
	}
	if p, ok, err := s.Peer(ctx, cat); err != nil || ok || p.ID != "" {
		t.Fatalf("Cat read as %+v, %v, %v before her profile", p, ok, err)
	}
	name := func(i int) string { return fmt.Sprintf("n%04d", i) }
	read := func() (string, error) {
		p, _, err := s.Peer(ctx, cat)
		return p.Name, err // "" while she has no row
	}
	names := func() (string, error) { // and keeps the list read, for the others
		list, err := s.PeerNames(ctx)
		for _, p := range list {
			if p.ID == cat {
				return p.Name, err
			}
		}
		return "", err
	}
	stop := readersNeverGoBack(t, "", read, read, read, names)
	for i := 1; i <= 100 && !t.Failed(); i++ {
		if err := s.UpsertPeer(ctx, Peer{ID: cat, Name: name(i)}); err != nil {
			t.Fatal(err)
		}
		if got, err := read(); err != nil || got != name(i) {
			t.Fatalf("after writing %s Cat read as %q, %v", name(i), got, err)
		}
		if s.unknown(cat) {
			t.Fatal("Cat unknown after her profile was written")
		}
	}
	stop()
}

// What asking for a colleague connected before its profile arrived
// costs, in an office of 200: answered from the list of names kept,
// against asking the table (the baseline, in the same run, as every ask
// did before).
func BenchmarkPeerNotMetYet(b *testing.B) {
	againstBaseline(b, "from the names kept", "table asked", func(b *testing.B, asked bool) {
		ctx := b.Context()
		s := storeOfColleagues(b, 200)
		if _, err := s.PeerNames(ctx); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if asked {
				s.nameBook.mu.Lock()
				s.nameBook.list = nil
				s.nameBook.mu.Unlock()
			}
			if _, ok, err := s.Peer(ctx, "12D3KooWNewcomer"); err != nil || ok {
				b.Fatal(ok, err)
			}
		}
	})
}
