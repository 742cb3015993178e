package storage

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestAmendmentsStayOutOfHistoryAndFoldBack(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	const conv = "dm:" + bob
	in := func(m Message) Message {
		t.Helper()
		m.Conv = conv
		got, ok, err := s.InsertIncoming(ctx, m)
		if err != nil || !ok {
			t.Fatalf("insert %s: %v %v", m.ID, ok, err)
		}
		return got
	}
	orig := in(Message{ID: "m1", Author: bob, Text: "lunch at 1?"})
	in(Message{ID: "m2", Author: bob, Kind: "reply", Text: "or 2", RefAuthor: bob, RefID: "m1"})
	in(Message{ID: "e1", Author: bob, Kind: "edit", Text: "lunch at noon?", RefAuthor: bob, RefID: "m1"})
	in(Message{ID: "r1", Author: cat, Kind: "react", Text: "👍", RefAuthor: bob, RefID: "m1"})
	in(Message{ID: "r2", Author: bob, Kind: "react", Text: "🎉", RefAuthor: bob, RefID: "m2"})
	in(Message{ID: "d1", Author: bob, Kind: "delete", RefAuthor: bob, RefID: "other"})

	page, err := s.History(ctx, conv, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].ID != "m1" || page[1].ID != "m2" || page[1].RefID != "m1" || page[1].RefAuthor != bob {
		t.Fatalf("history = %+v, want m1 and the reply m2 only", page)
	}
	am, err := s.Amendments(ctx, conv, []string{"m1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(am) != 2 || am[0].ID != "e1" || am[1].ID != "r1" {
		t.Fatalf("amendments of m1 = %+v, want the edit and the reaction (by author)", am)
	}
	if am, _ := s.Amendments(ctx, conv, []string{"m1", "m2", "other"}); len(am) != 4 {
		t.Errorf("amendments of three ids = %d, want 4", len(am))
	}
	if am, _ := s.Amendments(ctx, "dm:"+cat, []string{"m1"}); len(am) != 0 {
		t.Errorf("another conversation's amendments came back: %+v", am)
	}
	found, err := s.MessagesWithID(ctx, "m1")
	if err != nil || len(found) != 1 || found[0] != orig {
		t.Errorf("MessagesWithID = %+v, %v", found, err)
	}
	unread, err := s.DMUnread(ctx)
	if err != nil || unread[conv] != 2 {
		t.Errorf("unread = %v, %v; want the message and the reply, not the amendments", unread, err)
	}
}

// A room's amendments come back in each author's order whatever order
// they arrived in, so every member folds them alike.
func TestAmendmentsInAuthorOrderWhateverTheArrival(t *testing.T) {
	ctx := t.Context()
	const conv = "room:r1"
	rows := []Message{
		{ID: "e1", Author: bob, Kind: "edit", Text: "v1", RefAuthor: bob, RefID: "m1", AuthorSeq: 2, HLC: 20},
		{ID: "e2", Author: bob, Kind: "edit", Text: "v2", RefAuthor: bob, RefID: "m1", AuthorSeq: 3, HLC: 30},
		{ID: "r1", Author: cat, Kind: "react", Text: "👍", RefAuthor: bob, RefID: "m1", AuthorSeq: 1, HLC: 25},
		{ID: "u1", Author: cat, Kind: "unreact", Text: "👍", RefAuthor: bob, RefID: "m1", AuthorSeq: 2, HLC: 35},
	}
	var orders [][]string
	for _, reverse := range []bool{false, true} {
		s := newTestStore(t)
		in := slices.Clone(rows)
		if reverse {
			slices.Reverse(in)
		}
		for _, m := range in {
			m.Conv = conv
			if _, _, err := s.InsertIncoming(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		am, err := s.Amendments(ctx, conv, []string{"m1"})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range am {
			ids = append(ids, m.ID)
		}
		orders = append(orders, ids)
	}
	if !slices.Equal(orders[0], orders[1]) || !slices.Equal(orders[0], []string{"e1", "e2", "r1", "u1"}) {
		t.Errorf("arrival order changes the fold: %v", orders)
	}
}

// A message is found by its id alone whoever wrote it: each author's
// messages are looked up in turn, the first and last authors in the
// index's order included, and the same id from two authors gives both.
func TestMessagesWithIDAcrossAuthors(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	authors := []string{"12D3KooWa", "12D3KooWm", "12D3KooWz", bob, cat}
	for i, a := range authors {
		for j := range 3 {
			m := Message{ID: fmt.Sprintf("%s-%d", a, j), Conv: "dm:" + a, Author: a, Text: "x"}
			if _, ok, err := s.InsertIncoming(ctx, m); err != nil || !ok {
				t.Fatalf("insert %d %d: %v %v", i, j, ok, err)
			}
		}
	}
	for _, a := range authors {
		id := a + "-1"
		found, err := s.MessagesWithID(ctx, id)
		if err != nil || len(found) != 1 || found[0].Author != a || found[0].ID != id {
			t.Errorf("MessagesWithID(%s) = %+v, %v", id, found, err)
		}
	}
	for _, a := range []string{authors[0], authors[2]} {
		if _, _, err := s.InsertIncoming(ctx, Message{ID: "shared", Conv: "dm:" + a, Author: a, Text: "y"}); err != nil {
			t.Fatal(err)
		}
	}
	found, err := s.MessagesWithID(ctx, "shared")
	if err != nil || len(found) != 2 || found[0].Author != authors[0] || found[1].Author != authors[2] || found[0].Seq > found[1].Seq {
		t.Errorf("MessagesWithID(shared) = %+v, %v; want both, in the order stored", found, err)
	}
	if found, err := s.MessagesWithID(ctx, "nobody's"); err != nil || len(found) != 0 {
		t.Errorf("MessagesWithID of an unknown id = %+v, %v", found, err)
	}
	// Found through the (author, id) index, never by reading every message.
	rows, err := s.reader.QueryContext(ctx, "EXPLAIN QUERY PLAN "+messagesWithIDSQL, "shared")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(detail, "SCAN messages") {
			t.Errorf("the lookup reads every message: %s", detail)
		}
	}
}
