package rooms

import (
	"context"
	"strings"
	"testing"
	"time"

	"hallway/storage"
)

// forkEvents counts the fork alerts n raised.
func (n *testNode) forkEvents() int {
	c := 0
	for _, l := range n.log.all() {
		if strings.HasPrefix(l, "publish chat.RoomForked") {
			c++
		}
	}
	return c
}

// forked is what n's room list says of room's forks.
func (n *testNode) forked(room string) map[string]int {
	n.t.Helper()
	rooms, err := n.List(context.Background())
	if err != nil {
		n.t.Fatal(err)
	}
	for _, r := range rooms {
		if r.ID == room {
			return r.Forked
		}
	}
	n.t.Fatalf("room %s not listed", room)
	return nil
}

// Mallory gossips two versions of her first post: Bob keeps the first in
// the log, the second as evidence, and raises the alert once; the same
// envelopes again, honest duplicates, raise nothing more.
func TestAForkByGossipIsFound(t *testing.T) {
	bob, mal := newTestNode(t, "Bob"), newMallory(t)
	room := project(t, bob)
	j := bob.Joined().Get(room)
	now := time.Now()
	a, b := mal.envelope(t, j, 1, now, "to Ann: yes"), mal.envelope(t, j, 1, now, "to Cat: no")
	for _, raw := range [][]byte{a, a, b, b, a, mal.envelope(t, j, 2, now, "two")} {
		if err := bob.net.topic(room).deliver(mal.id, raw); err != nil {
			t.Fatalf("gossip refused an envelope Mallory signed: %v", err)
		}
	}
	bob.waitFor("Mallory's second post", func() bool {
		_, ok := bob.store.entry(room, mal.id.String(), 2)
		return ok
	})
	if got, _ := bob.store.entry(room, mal.id.String(), 1); string(got.Raw) != string(a) {
		t.Fatal("the log does not keep the version that came first")
	}
	forks, _ := bob.store.RoomForks(context.Background(), room)
	if len(forks) != 1 || string(forks[0].Held) != string(a) || string(forks[0].Other) != string(b) {
		t.Fatalf("kept %d forks, want the two versions once", len(forks))
	}
	if n := bob.forkEvents(); n != 1 {
		t.Fatalf("%d fork alerts, want 1", n)
	}
	if f := bob.forked(room); f[mal.id.String()] != 1 || len(f) != 1 {
		t.Fatalf("room list says forked %v, want Mallory once", f)
	}
}

// The same envelope again, by gossip and by sync, is no fork.
func TestAnHonestDuplicateIsNoFork(t *testing.T) {
	ann, bob, mal := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newMallory(t)
	room := project(t, ann, bob)
	a := mal.envelope(t, bob.Joined().Get(room), 1, time.Now(), "hello")
	mal.plant(t, ann, ann.Joined().Get(room), a)
	mal.plant(t, bob, bob.Joined().Get(room), a)
	if err := bob.net.topic(room).deliver(mal.id, a); err != nil {
		t.Fatal(err)
	}
	connect(ann, bob)
	for _, n := range []*testNode{ann, bob} {
		other := ann.id
		if n == ann {
			other = bob.id
		}
		if err := n.Syncer().pull(context.Background(), other, []string{room}); err != nil {
			t.Fatal(err)
		}
	}
	if err := bob.net.topic(room).deliver(mal.id, mal.envelope(t, bob.Joined().Get(room), 2, time.Now(), "two")); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("Mallory's second post", func() bool {
		_, ok := bob.store.entry(room, mal.id.String(), 2)
		return ok
	})
	if n := ann.forkEvents() + bob.forkEvents(); n != 0 || bob.forked(room) != nil {
		t.Fatalf("%d fork alerts for the same envelope twice", n)
	}
}

// Ann holds one version, Bob the other, which reaches Ann by gossip too:
// Ann finds the fork; Bob, who never got Ann's version, learns of it when
// he syncs with her (she serves the evidence), and Cat, who only ever held
// Ann's version, from Bob. A sync answer carries what it always did.
func TestAForkBySyncIsFoundAndSpreads(t *testing.T) {
	ann, bob, cat, mal := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat"), newMallory(t)
	room := project(t, ann, bob, cat)
	j := ann.Joined().Get(room)
	now := time.Now()
	a, b := mal.envelope(t, j, 1, now, "to Ann: yes"), mal.envelope(t, j, 1, now, "to Bob: no")
	mal.plant(t, ann, ann.Joined().Get(room), a)
	mal.plant(t, cat, cat.Joined().Get(room), a)
	mal.plant(t, bob, bob.Joined().Get(room), b)
	connect(ann, bob)
	connect(bob, cat)
	pull := func(n, from *testNode) {
		t.Helper()
		if err := n.Syncer().pull(context.Background(), from.id, []string{room}); err != nil {
			t.Fatal(err)
		}
	}
	pull(bob, ann)
	if bob.forkEvents() != 0 {
		t.Fatal("a fork found with no evidence of it")
	}
	if err := ann.net.topic(room).deliver(mal.id, b); err != nil {
		t.Fatal(err)
	}
	ann.waitFor("Ann's fork alert", func() bool { return ann.forkEvents() == 1 })
	pull(bob, ann)
	if bob.forkEvents() != 1 || bob.forked(room)[mal.id.String()] != 1 {
		t.Fatal("Bob did not learn of the fork Ann found")
	}
	if got, _ := bob.store.entry(room, mal.id.String(), 1); string(got.Raw) != string(b) {
		t.Fatal("Bob's log lost the version it held first")
	}
	pull(cat, bob)
	if cat.forkEvents() != 1 || cat.forked(room)[mal.id.String()] != 1 {
		t.Fatal("Cat did not learn of the fork from Bob")
	}
	pull(cat, bob)
	if cat.forkEvents() != 1 {
		t.Fatal("the same evidence served again raised the alert again")
	}
}

// An author forking every post fills no disk: the evidence kept is capped.
func TestForkEvidenceIsCapped(t *testing.T) {
	bob, mal := newTestNode(t, "Bob"), newMallory(t)
	room := project(t, bob)
	j := bob.Joined().Get(room)
	now := time.Now()
	last := uint64(storage.MaxForksPerAuthor + 4)
	for seq := uint64(1); seq <= last; seq++ {
		for _, text := range []string{"a", "b", "c"} {
			if err := bob.net.topic(room).deliver(mal.id, mal.envelope(t, j, seq, now, text)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := bob.net.topic(room).deliver(mal.id, mal.envelope(t, j, last+1, now, "end")); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("Mallory's last post", func() bool {
		_, ok := bob.store.entry(room, mal.id.String(), last+1)
		return ok
	})
	forks, _ := bob.store.RoomForks(context.Background(), room)
	if len(forks) != storage.MaxForksPerAuthor || bob.forkEvents() != storage.MaxForksPerAuthor {
		t.Fatalf("kept %d forks and raised %d alerts, want %d", len(forks), bob.forkEvents(), storage.MaxForksPerAuthor)
	}
}
