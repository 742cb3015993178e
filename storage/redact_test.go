package storage

import (
	"testing"
	"time"
)

func ftsIntegrity(t *testing.T, s *Store) {
	t.Helper()
	if err := s.CheckSearchIndex(t.Context()); err != nil {
		t.Fatalf("search index integrity: %v", err)
	}
}

func hits(t *testing.T, s *Store, term string) int {
	t.Helper()
	h, err := s.Search(t.Context(), SearchQuery{Terms: []string{term}})
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

// A delete by its author erases the message and its edits, whichever
// arrives first, and leaves the search index whole; a legal hold keeps
// them.
func TestDeleteErases(t *testing.T) {
	ctx := t.Context()
	for _, held := range []bool{false, true} {
		s := newTestStore(t)
		const conv = "dm:" + bob
		if held {
			if err := s.PlaceHold(ctx, LegalHold{ID: "h1", Scope: conv, Reason: "audit", CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		in := func(m Message) {
			t.Helper()
			m.Conv = conv
			if _, _, err := s.InsertIncoming(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		in(Message{ID: "m1", Author: bob, Text: "the vault code is 4711"})
		in(Message{ID: "e1", Author: bob, Kind: "edit", Text: "the vault code is 4712", RefAuthor: bob, RefID: "m1"})
		in(Message{ID: "m2", Author: bob, Text: "unrelated vault note"})
		in(Message{ID: "x1", Author: cat, Kind: "delete", RefAuthor: bob, RefID: "m2"}) // not the author: nothing
		in(Message{ID: "d1", Author: bob, Kind: "delete", RefAuthor: bob, RefID: "m1"})
		// Deleted before it arrives (a partition): stored erased.
		in(Message{ID: "d3", Author: bob, Kind: "delete", RefAuthor: bob, RefID: "m3"})
		in(Message{ID: "m3", Author: bob, Text: "vault code 9999"})
		in(Message{ID: "e3", Author: bob, Kind: "edit", Text: "vault code 9998", RefAuthor: bob, RefID: "m3"})
		ftsIntegrity(t, s)
		for _, id := range []string{"m1", "e1", "m3", "e3"} {
			m, _, _ := s.MessageByID(ctx, bob, id)
			if erased := m.Text == "" && m.Redacted && m.Sig == ""; erased == held {
				t.Errorf("held %v: %s is %+v", held, id, m)
			}
		}
		if m, _, _ := s.MessageByID(ctx, bob, "m2"); m.Redacted || m.Text == "" {
			t.Errorf("another's delete erased %+v", m)
		}
		want := 1 // m2
		if held {
			want = 5 // m1, e1, m2, m3, e3
		}
		if n := hits(t, s, "vault"); n != want {
			t.Errorf("held %v: %d hits for vault, want %d", held, n, want)
		}
	}
}

// A room batch that brings a message, its edit and its author's delete
// together (a catch-up after a partition) stores all three erased, each
// found more than once, and leaves the search index whole; the batch
// before it and the message of another author stay.
func TestDeleteInOneRoomBatch(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	msg := func(author string, seq uint64, kind, ref, text string) RoomEntry {
		e := entry("r1", author, seq, 10+seq)
		e.Message.Kind, e.Message.Text = kind, text
		if ref != "" {
			e.Message.RefAuthor, e.Message.RefID = author, ref
		}
		return e
	}
	if _, err := s.InsertRoomEntries(ctx, []RoomEntry{msg(cat, 1, KindText, "", "vault note by cat")}); err != nil {
		t.Fatal(err)
	}
	batch := []RoomEntry{
		msg(bob, 1, KindText, "", "the vault code is 4711"),
		msg(bob, 2, "edit", "r1-1", "the vault code is 4712"),
		msg(bob, 3, "delete", "r1-1", ""),
	}
	if _, err := s.InsertRoomEntries(ctx, batch); err != nil {
		t.Fatal(err)
	}
	ftsIntegrity(t, s)
	for _, id := range []string{"r1-1", "r1-2"} {
		if m, _, err := s.MessageByID(ctx, bob, id); err != nil || !m.Redacted || m.Text != "" {
			t.Errorf("%s stored as %+v, %v; want erased", id, m, err)
		}
	}
	if m, _, err := s.MessageByID(ctx, cat, "r1-1"); err != nil || m.Redacted || m.Text == "" {
		t.Errorf("another author's message stored as %+v, %v", m, err)
	}
	if n := hits(t, s, "vault"); n != 1 {
		t.Errorf("%d hits for vault, want cat's alone", n)
	}
}

// Deleting a message still in the outbox means it is never sent.
func TestDeleteUnsends(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	conv := "dm:" + bob
	if _, err := s.InsertOutgoing(ctx, Message{ID: "o1", Conv: conv, Author: me, Text: "wrong person"}, bob); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertOutgoing(ctx, Message{ID: "o2", Conv: conv, Author: me, Kind: "delete", RefAuthor: me, RefID: "o1"}, bob); err != nil {
		t.Fatal(err)
	}
	out, err := s.Outbox(ctx, bob, 0)
	if err != nil || len(out) != 1 || out[0].ID != "o2" {
		t.Fatalf("outbox %+v, %v", out, err)
	}
	ftsIntegrity(t, s)
}
