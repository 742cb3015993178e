package storage

import (
	"fmt"
	"testing"
	"time"
)

func TestVerificationsLabelsAndReads(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	if err := s.SetVerified(ctx, Verification{Peer: "p1", Name: "Bob", Fingerprint: "f"}); err != nil {
		t.Fatal(err)
	}
	vs, err := s.Verifications(ctx)
	if err != nil || len(vs) != 1 || vs[0].Name != "Bob" || vs[0].At.IsZero() {
		t.Fatalf("%+v %v", vs, err)
	}
	if ok, _ := s.ClearVerified(ctx, "p1"); !ok {
		t.Fatal("not cleared")
	}
	if err := s.SetLabel(ctx, "p1", "Accounting"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLabel(ctx, "p2", "Sales"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLabel(ctx, "p2", ""); err != nil {
		t.Fatal(err)
	}
	if ls, _ := s.Labels(ctx); fmt.Sprint(ls) != "map[p1:Accounting]" {
		t.Fatalf("labels %v", ls)
	}

	var msgs []Message
	for i := range 5 {
		msgs = append(msgs, Message{ID: fmt.Sprint("m", i), Conv: "dm:p1", Author: "p1", Text: "hi",
			SentAt: time.UnixMilli(int64(1000 + i)), State: StateReceived})
	}
	n, err := s.ImportMessages(ctx, append(msgs, msgs[0]))
	if err != nil || n != 5 {
		t.Fatalf("imported %d: %v", n, err)
	}
	if u, _ := s.DMUnread(ctx); u["dm:p1"] != 5 {
		t.Fatalf("unread %v", u)
	}
	last, err := s.LastSeq(ctx, "dm:p1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkConvRead(ctx, "dm:p1", last-2); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.DMUnread(ctx); u["dm:p1"] != 2 {
		t.Fatalf("unread after marking %v", u)
	}
	// The marker never goes back.
	s.MarkConvRead(ctx, "dm:p1", 1)
	if u, _ := s.DMUnread(ctx); u["dm:p1"] != 2 {
		t.Fatalf("marker went back: %v", u)
	}
}

// NamesVersion moves with each write that changes what names a colleague,
// and with no other: the profiles an arriving office pushes again and
// again leave what was derived from names in place.
func TestNamesVersionMovesOnNamingWritesAlone(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	for _, w := range []struct {
		name   string
		write  func() error
		naming bool
	}{
		{"a new colleague", func() error { return s.UpsertPeer(ctx, Peer{ID: "p1", Name: "Bob"}) }, true},
		{"a profile with the same name", func() error { return s.UpsertPeer(ctx, Peer{ID: "p1", Name: "Bob", Status: "away"}) }, false},
		{"a profile without a name", func() error { return s.UpsertPeer(ctx, Peer{ID: "p1", Status: "online"}) }, false},
		{"a new name", func() error { return s.UpsertPeer(ctx, Peer{ID: "p1", Name: "Robert"}) }, true},
		{"a new colleague without a name", func() error { return s.UpsertPeer(ctx, Peer{ID: "p2"}) }, true},
		{"a verification", func() error { return s.SetVerified(ctx, Verification{Peer: "p1", Name: "Robert", Fingerprint: "f"}) }, true},
		{"its removal", func() error { _, err := s.ClearVerified(ctx, "p1"); return err }, true},
	} {
		before, _ := s.NamesVersion()
		if err := w.write(); err != nil {
			t.Fatal(err)
		}
		after, settled := s.NamesVersion()
		if !settled || (after != before) != w.naming {
			t.Errorf("writing %s moved the version from %d to %d (settled %v), want moved %v", w.name, before, after, settled, w.naming)
		}
	}
}

// The list of verifications is read once and kept, empty or not, until a
// verification is given or taken back; what it says is always what the
// table says.
func TestVerificationsKeptUntilOneChanges(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	read := func(what string, want ...string) {
		t.Helper()
		vs, err := s.Verifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range vs {
			got = append(got, v.Peer+"="+v.Name)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: verifications %v, want %v", what, got, want)
		}
		version, _ := s.verifs.settled()
		if _, ok := s.verified.get(version); !ok {
			t.Fatalf("%s: the list read was not kept", what)
		}
		// A reader's changes to its list are its own.
		for i := range vs {
			vs[i].Name = "scribbled"
		}
	}
	read("nobody verified")
	read("nobody verified, read again")
	if err := s.SetVerified(ctx, Verification{Peer: "p1", Name: "Bob", Fingerprint: "f"}); err != nil {
		t.Fatal(err)
	}
	read("Bob verified", "p1=Bob")
	// Colleagues met and renamed change no verification.
	if err := s.UpsertPeer(ctx, Peer{ID: "p2", Name: "Cat"}); err != nil {
		t.Fatal(err)
	}
	read("Cat met", "p1=Bob")
	if err := s.SetVerified(ctx, Verification{Peer: "p2", Name: "Cat", Fingerprint: "g"}); err != nil {
		t.Fatal(err)
	}
	read("Cat verified", "p1=Bob", "p2=Cat")
	if ok, err := s.ClearVerified(ctx, "p1"); err != nil || !ok {
		t.Fatal(ok, err)
	}
	read("Bob's taken back", "p2=Cat")
}
