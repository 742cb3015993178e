package storage

import (
	"fmt"
	"testing"
	"time"
)

func TestInsertRoomEntriesReportsConflicts(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	first := entry("r1", bob, 1, 10)
	if _, err := s.InsertRoomEntriesChecked(ctx, Replicated, []RoomEntry{first}); err != nil {
		t.Fatal(err)
	}
	in, err := s.InsertRoomEntriesChecked(ctx, Replicated, []RoomEntry{first})
	if conflicts := in.Conflicts; err != nil || len(conflicts) != 0 {
		t.Fatalf("same envelope again: conflicts %v, err %v; want none", conflicts, err)
	}
	other := entry("r1", bob, 1, 10)
	other.Raw = []byte("another envelope")
	in, err = s.InsertRoomEntriesChecked(ctx, Replicated, []RoomEntry{other})
	if err != nil {
		t.Fatal(err)
	}
	added, conflicts := in.Added, in.Conflicts
	if len(added) != 0 || len(conflicts) != 1 || string(conflicts[0].Held) != string(first.Raw) ||
		string(conflicts[0].Entry.Raw) != "another envelope" {
		t.Fatalf("other envelope under a held seq: added %d, conflicts %+v; want one conflict, nothing added", len(added), conflicts)
	}
}

func TestAddRoomForkCapped(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	fork := func(seq uint64, other string) RoomFork {
		return RoomFork{Room: "r1", Author: bob, Seq: seq, Held: []byte(fmt.Sprintf("held %d", seq)), Other: []byte(other)}
	}
	if ok, err := s.AddRoomFork(ctx, fork(1, "b1")); err != nil || !ok {
		t.Fatalf("first fork: added %v, err %v", ok, err)
	}
	if ok, err := s.AddRoomFork(ctx, fork(1, "b1")); err != nil || ok {
		t.Fatalf("same evidence again: added %v, err %v; want not added", ok, err)
	}
	for i := 2; i <= MaxForksPerAuthor+5; i++ {
		if _, err := s.AddRoomFork(ctx, fork(uint64(i), fmt.Sprintf("b%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := s.AddRoomFork(ctx, RoomFork{Room: "r1", Author: cat, Seq: 1, Held: []byte("c"), Other: []byte("d")}); err != nil || !ok {
		t.Fatalf("another author's fork past bob's cap: added %v, err %v", ok, err)
	}
	forks, err := s.RoomForks(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, f := range forks {
		n[f.Author]++
	}
	if n[bob] != MaxForksPerAuthor || n[cat] != 1 {
		t.Fatalf("kept %v, want %d of bob and 1 of cat", n, MaxForksPerAuthor)
	}
	if f := forks[0]; f.Seq != 1 || string(f.Held) != "held 1" || string(f.Other) != "b1" {
		t.Fatalf("first evidence %+v", f)
	}
	if _, err := s.AddRoomFork(ctx, RoomFork{Room: "r1", Author: bob, Seq: 1, Held: []byte("x"), Other: []byte("x")}); err == nil {
		t.Fatal("two equal envelopes kept as a fork")
	}
}

// Retention deletes a fork's evidence with the message it forked.
func TestRetentionDeletesForkEvidence(t *testing.T) {
	now := time.Now()
	s := retentionFixture(t, now)
	ctx := t.Context()
	for _, seq := range []uint64{1, 4} { // seq 1 is 50 days old, seq 4 two days
		f := RoomFork{Room: "r1", Author: bob, Seq: seq, Held: []byte("env"), Other: []byte(fmt.Sprintf("other %d", seq))}
		if _, err := s.AddRoomFork(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	must(t, s.SetRetention(ctx, "room:r1", 12))
	if _, err := s.ApplyRetention(ctx, now); err != nil {
		t.Fatal(err)
	}
	forks, err := s.RoomForks(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(forks) != 1 || forks[0].Seq != 4 {
		t.Fatalf("kept %+v, want only the fork of the message retention kept", forks)
	}
}

// A room read without forks is not read again while no fork is kept, and
// the first fork kept is read at once.
func TestRoomForksFollowEveryForkKept(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	for range 2 {
		if forks, err := s.RoomForks(ctx, "r1"); err != nil || len(forks) != 0 {
			t.Fatalf("forks %v, err %v; want none", forks, err)
		}
	}
	if n, _ := s.forks.settled(); !has(&s.forkless, "r1", n) {
		t.Fatal("a room read without forks is not remembered as such")
	}
	if ok, err := s.AddRoomFork(ctx, RoomFork{Room: "r1", Author: bob, Seq: 1, Held: []byte("a"), Other: []byte("b")}); err != nil || !ok {
		t.Fatalf("fork: added %v, err %v", ok, err)
	}
	if forks, err := s.RoomForks(ctx, "r1"); err != nil || len(forks) != 1 || forks[0].Author != bob {
		t.Fatalf("forks %+v, err %v; want Bob's", forks, err)
	}
}
