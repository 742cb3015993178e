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

func TestPeopleVersionMovesOnEveryNamingWrite(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	for _, w := range []struct {
		name  string
		write func() error
	}{
		{"a profile", func() error { return s.UpsertPeer(ctx, Peer{ID: "p1", Name: "Bob"}) }},
		{"a verification", func() error { return s.SetVerified(ctx, Verification{Peer: "p1", Name: "Bob", Fingerprint: "f"}) }},
		{"its removal", func() error { _, err := s.ClearVerified(ctx, "p1"); return err }},
	} {
		before, _ := s.PeopleVersion()
		if err := w.write(); err != nil {
			t.Fatal(err)
		}
		if after, settled := s.PeopleVersion(); !settled || after == before {
			t.Errorf("writing %s left the version at %d", w.name, before)
		}
	}
}
