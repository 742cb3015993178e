package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// One write of a group failing takes nothing of the others with it, and
// leaves nothing of its own.
func TestGroupCommitKeepsWritesApart(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	insert := func(id string, fail bool) *groupWrite {
		return &groupWrite{ctx: ctx, done: make(chan error, 1), fn: func(tx *sql.Tx) error {
			m := stamp(Message{ID: id, Conv: "dm:peer", Author: "peer", Text: "note " + id + id + id, SentAt: time.UnixMilli(1000)}, StateReceived)
			seq, _, err := insertMessage(ctx, tx.StmtContext(ctx, s.stmts.insertMessage), m)
			if err != nil {
				return err
			}
			if err := queueIndex(ctx, tx.StmtContext(ctx, s.stmts.queueIndex), []int64{seq}); err != nil {
				return err
			}
			if fail {
				return errors.New("refused after its insert")
			}
			return nil
		}}
	}
	batch := []*groupWrite{insert("a", false), insert("b", true), insert("c", false)}
	s.group.commit(batch)
	for i, want := range []bool{true, false, true} {
		err := <-batch[i].done
		if (err == nil) != want {
			t.Fatalf("write %d: %v", i, err)
		}
		id := []string{"a", "b", "c"}[i]
		_, ok, err := s.MessageByID(ctx, "peer", id)
		if err != nil || ok != want {
			t.Fatalf("write %d stored %v (%v), want %v", i, ok, err, want)
		}
		// Indexed with the write that stored it, and only then.
		if n := hits(t, s, id+id+id); (n == 1) != want {
			t.Fatalf("write %d: %d search hits", i, n)
		}
	}
	ftsIntegrity(t, s)
}

// A delete in a group commit that erases a message stored before it in the
// same group (or is stored before the message it deletes) leaves the index
// whole: each message is queued for search before anything is erased.
func TestGroupCommitErasesWhatItStored(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	const conv = "dm:" + bob
	var batch []*groupWrite
	for _, m := range []Message{
		{ID: "m1", Author: bob, Text: "the vault code is 4711"},
		{ID: "e1", Author: bob, Kind: "edit", Text: "the vault code is 4712", RefAuthor: bob, RefID: "m1"},
		{ID: "m2", Author: bob, Text: "unrelated vault note"},
		{ID: "x1", Author: cat, Kind: "delete", RefAuthor: bob, RefID: "m2"}, // not the author: nothing
		{ID: "d1", Author: bob, Kind: "delete", RefAuthor: bob, RefID: "m1"},
		{ID: "d3", Author: bob, Kind: "delete", RefAuthor: bob, RefID: "m3"},
		{ID: "m3", Author: bob, Text: "vault code 9999"},
		{ID: "e3", Author: bob, Kind: "edit", Text: "vault code 9998", RefAuthor: bob, RefID: "m3"},
		{ID: "m4", Author: bob, Text: "the vault opens at nine"},
	} {
		m.Conv, m.SentAt = conv, time.UnixMilli(1000)
		var stored Message
		var inserted bool
		batch = append(batch, &groupWrite{ctx: ctx, done: make(chan error, 1),
			fn: s.insertIncoming(ctx, stamp(m, StateReceived), &stored, &inserted)})
	}
	s.group.commit(batch)
	for i, w := range batch {
		if err := <-w.done; err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	ftsIntegrity(t, s)
	for _, id := range []string{"m1", "e1", "m3", "e3"} {
		if m, _, _ := s.MessageByID(ctx, bob, id); m.Text != "" || !m.Redacted {
			t.Errorf("%s not erased: %+v", id, m)
		}
	}
	if n := hits(t, s, "vault"); n != 2 { // m2, m4
		t.Errorf("%d hits for vault, want 2", n)
	}
}

// Many colleagues' messages at once: each caller returns once its own is
// stored, and every one is.
func TestGroupCommitUnderConcurrency(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	const writers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("m%d-%d", w, i)
				m := Message{ID: id, Conv: "dm:p", Author: "p", Text: id, SentAt: time.UnixMilli(1000)}
				if _, inserted, err := s.InsertIncoming(ctx, m); err != nil || !inserted {
					errs <- fmt.Errorf("%s: inserted %v, %v", id, inserted, err)
					return
				}
				if _, ok, err := s.MessageByID(ctx, "p", id); err != nil || !ok {
					errs <- fmt.Errorf("%s returned before it was stored: %v", id, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n, _ := s.CountMessages(ctx, "dm:p"); n != writers*each {
		t.Fatalf("%d messages stored, want %d", n, writers*each)
	}
}

// A write after Close is refused, not lost in a queue.
func TestGroupCommitAfterClose(t *testing.T) {
	s := newTestStore(t)
	s.Close()
	if err := s.inGroupTx(context.Background(), func(*sql.Tx) error { return nil }); !errors.Is(err, errStoreClosed) {
		t.Fatalf("write after close: %v", err)
	}
}

// A group commits without an fsync only when none of its writes asks for
// one, and leaves the writer's commits durable after it.
func TestGroupCommitFsyncsWhenAnyWriteAsks(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	// synchronous reports the mode the write's transaction commits with:
	// 1 is NORMAL (Replicated), 2 is FULL (Durable).
	write := func(d Durability, got *int) *groupWrite {
		return &groupWrite{ctx: ctx, d: d, done: make(chan error, 1), fn: func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(got)
		}}
	}
	for _, c := range []struct {
		name string
		ds   []Durability
		want int
	}{
		{"replicated alone", []Durability{Replicated, Replicated}, 1},
		{"durable among replicated", []Durability{Replicated, Durable, Replicated}, 2},
		{"durable alone", []Durability{Durable}, 2},
	} {
		got := make([]int, len(c.ds))
		var batch []*groupWrite
		for i, d := range c.ds {
			batch = append(batch, write(d, &got[i]))
		}
		s.group.commit(batch)
		for i, w := range batch {
			if err := <-w.done; err != nil {
				t.Fatalf("%s: write %d: %v", c.name, i, err)
			}
			if got[i] != c.want {
				t.Errorf("%s: write %d committed with synchronous=%d, want %d", c.name, i, got[i], c.want)
			}
		}
	}
	var after int
	if err := s.inGroupTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&after)
	}); err != nil || after != 2 {
		t.Fatalf("a write after them committed with synchronous=%d (%v), want 2", after, err)
	}
}
