package storage

import (
	"strings"
	"testing"
	"time"

	"hallway/chat"
)

func TestBlocksPersist(t *testing.T) {
	ctx := t.Context()
	path := t.TempDir() + "/h.db"
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first := time.UnixMilli(1_700_000_000_000)
	if err := s.SetBlocked(ctx, Block{Peer: "p1", Name: "Mallory", Reason: "spam", At: first}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBlocked(ctx, Block{Peer: "p2", Name: "Eve"}); err != nil {
		t.Fatal(err)
	}
	// Blocking again keeps the first time.
	if err := s.SetBlocked(ctx, Block{Peer: "p1", Name: "Mallory", Reason: "abuse"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBlocked(ctx, Block{Peer: "p3", Reason: strings.Repeat("x", chat.MaxBlockReason+1)}); err == nil {
		t.Fatal("an over-long reason was stored")
	}
	s.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bs, err := s.Blocks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].Peer != "p1" || bs[0].Reason != "abuse" || !bs[0].At.Equal(first) || bs[1].Peer != "p2" || bs[1].At.IsZero() {
		t.Fatalf("blocks after reopening: %+v", bs)
	}
	if ok, err := s.ClearBlocked(ctx, "p1"); !ok || err != nil {
		t.Fatalf("unblock p1: %v %v", ok, err)
	}
	if ok, _ := s.ClearBlocked(ctx, "p1"); ok {
		t.Fatal("unblocked twice")
	}
	if bs, _ := s.Blocks(ctx); len(bs) != 1 || bs[0].Peer != "p2" {
		t.Fatalf("blocks after unblocking: %+v", bs)
	}
}
