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
			m := stamp(Message{ID: id, Conv: "dm:peer", Author: "peer", Text: id, SentAt: time.UnixMilli(1000)}, StateReceived)
			if _, _, err := insertMessage(ctx, tx.StmtContext(ctx, s.stmts.insertMessage), m); err != nil {
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
		_, ok, err := s.MessageByID(ctx, "peer", []string{"a", "b", "c"}[i])
		if err != nil || ok != want {
			t.Fatalf("write %d stored %v (%v), want %v", i, ok, err, want)
		}
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
