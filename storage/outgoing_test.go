package storage

import (
	"errors"
	"testing"
)

// Messages to several colleagues are stored and queued together, or not
// at all.
func TestInsertOutgoingManyIsAllOrNothing(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	got, err := s.InsertOutgoingMany(ctx, []Outgoing{
		{Message: Message{ID: "k1", Conv: "dm:" + bob, Author: me, Text: "key"}, To: bob},
		{Message: Message{ID: "k2", Conv: "dm:" + cat, Author: me, Text: "key"}, To: cat},
	})
	if err != nil || len(got) != 2 || got[0].Seq <= 0 || got[1].Seq <= got[0].Seq {
		t.Fatalf("InsertOutgoingMany = %+v, %v", got, err)
	}
	for _, to := range []string{bob, cat} {
		if out, err := s.Outbox(ctx, to, 10); err != nil || len(out) != 1 {
			t.Fatalf("Outbox(%s) = %+v, %v", to, out, err)
		}
	}
	// The second repeats k1: nothing of the batch is kept.
	_, err = s.InsertOutgoingMany(ctx, []Outgoing{
		{Message: Message{ID: "k3", Conv: "dm:" + bob, Author: me, Text: "key"}, To: bob},
		{Message: Message{ID: "k1", Conv: "dm:" + cat, Author: me, Text: "key"}, To: cat},
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("a batch repeating a message: %v, want ErrDuplicate", err)
	}
	if _, ok, _ := s.MessageByID(ctx, me, "k3"); ok {
		t.Fatal("a failed batch left a message behind")
	}
	if out, _ := s.Outbox(ctx, bob, 10); len(out) != 1 {
		t.Fatalf("a failed batch queued %d messages for Bob, want the first 1", len(out))
	}
}
