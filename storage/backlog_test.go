package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func backlogLen(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.reader.QueryRowContext(t.Context(), `SELECT count(*) FROM search_backlog`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Messages wait in the backlog until it is worked off, and whatever
// happens to them meanwhile (erased by a delete for everyone, edited,
// expired) the index ends up holding exactly what the messages say.
func TestBacklogKeepsTheIndexWhole(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	s.index.stop() // the backlog stays until a search or a check works it off
	const conv = "dm:" + bob
	in := func(m Message) {
		t.Helper()
		m.Conv = conv
		if m.SentAt.IsZero() {
			m.SentAt = time.Now()
		}
		if _, _, err := s.InsertIncoming(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	in(Message{ID: "m1", Author: bob, Text: "the vault code is 4711"})
	in(Message{ID: "e1", Author: bob, Kind: "edit", Text: "the vault code is 4712", RefAuthor: bob, RefID: "m1"})
	in(Message{ID: "m2", Author: bob, Text: "an old vault note", SentAt: time.Now().Add(-400 * 24 * time.Hour)})
	in(Message{ID: "m3", Author: bob, Text: "the vault opens at nine"})
	in(Message{ID: "d1", Author: bob, Kind: "delete", RefAuthor: bob, RefID: "m1"}) // erases m1 and e1, both waiting
	if n := backlogLen(t, s); n != 5 {
		t.Fatalf("%d messages in the backlog, want 5", n)
	}
	if err := s.SetRetention(ctx, "workspace", 30); err != nil {
		t.Fatal(err)
	}
	if res, err := s.ApplyRetention(ctx, time.Now()); err != nil || res.Messages != 1 { // m2, waiting
		t.Fatalf("retention removed %+v: %v", res, err)
	}
	if n := hits(t, s, "vault"); n != 1 { // m3 only; the search worked the backlog off
		t.Fatalf("%d hits for vault, want 1", n)
	}
	if n := backlogLen(t, s); n != 0 {
		t.Fatalf("%d messages left in the backlog after a search", n)
	}
	ftsIntegrity(t, s)

	// Once indexed, the triggers keep the index right as before.
	in(Message{ID: "d3", Author: bob, Kind: "delete", RefAuthor: bob, RefID: "m3"})
	if n := hits(t, s, "vault"); n != 0 {
		t.Fatalf("%d hits for vault after deleting the last, want 0", n)
	}
	ftsIntegrity(t, s)
}

// A backlog left by a node that stopped (or crashed) before working it
// off is indexed when the store opens again.
func TestBacklogIndexedAfterReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hallway.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.index.stop()
	for _, id := range []string{"a", "b", "c"} {
		if _, _, err := s.InsertIncoming(ctx, Message{ID: id, Conv: "dm:" + bob, Author: bob, Text: "quarterly figures " + id, SentAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if n := backlogLen(t, s); n != 3 {
		t.Fatalf("%d in the backlog, want 3", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ran := make(chan error, 1)
	s.index.stop() // and again, as Open does, with a hook to wait on
	s.index = newAfterCommits(backlogPause, backlogPauseBusy, s.indexInBackground)
	s.index.ran = func(err error) { ran <- err }
	s.index.start()
	s.index.poke()
	select {
	case err := <-ran:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the backlog was not worked off")
	}
	if n := backlogLen(t, s); n != 0 {
		t.Fatalf("%d left in the backlog", n)
	}
	var indexed int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM message_fts WHERE message_fts MATCH 'quarterly'`).Scan(&indexed); err != nil || indexed != 3 {
		t.Fatalf("%d indexed (%v), want 3", indexed, err)
	}
	ftsIntegrity(t, s)
}

// The indexer in the background works a backlog longer than its step
// off a step at a time, to the last message.
func TestBackgroundIndexerWorksOffALongBacklog(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	s.index.stop()
	const n = 2*backlogStep + 3
	for i := range n {
		m := Message{ID: fmt.Sprint("m", i), Conv: "dm:" + bob, Author: bob, Text: fmt.Sprint("ledger entry ", i), SentAt: time.Now()}
		if _, _, err := s.InsertIncoming(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if got := backlogLen(t, s); got != n {
		t.Fatalf("%d in the backlog, want %d", got, n)
	}
	if busy, err := s.indexInBackground(ctx); err != nil || !busy {
		t.Fatalf("indexing %d: busy %v, %v; want busy", n, busy, err)
	}
	if got := backlogLen(t, s); got != 0 {
		t.Fatalf("%d left in the backlog after the indexer ran", got)
	}
	var indexed int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM message_fts WHERE message_fts MATCH 'ledger'`).Scan(&indexed); err != nil || indexed != n {
		t.Fatalf("%d indexed (%v), want %d", indexed, err, n)
	}
	ftsIntegrity(t, s)
	// A message or two, as a conversation brings them: not busy, so the
	// next run waits the calm pause.
	m := Message{ID: "last", Conv: "dm:" + bob, Author: bob, Text: "one more", SentAt: time.Now()}
	if _, _, err := s.InsertIncoming(ctx, m); err != nil {
		t.Fatal(err)
	}
	if busy, err := s.indexInBackground(ctx); err != nil || busy {
		t.Fatalf("indexing one: busy %v, %v; want not busy", busy, err)
	}
}
