package rooms

import (
	"context"
	"maps"
	"testing"

	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// restoredFrom is a fill that copies n's rooms and history as a backup
// taken when n's own head in every room was upTo: n's later messages are
// missing, everyone else's are kept.
func restoredFrom(n *testNode, upTo uint64) func(*fakeStore) {
	return func(s *fakeStore) {
		n.store.mu.Lock()
		defer n.store.mu.Unlock()
		maps.Copy(s.rooms, n.store.rooms)
		for r, m := range n.store.members {
			s.members[r] = maps.Clone(m)
		}
		for k, e := range n.store.entries {
			if k.author != n.id.String() || k.seq <= upTo {
				s.entries[k] = e
			}
		}
	}
}

// annPostedFive has Ann post seqs 1..5 in #project and Bob hold them all.
func annPostedFive(t *testing.T) (ann, bob *testNode, room string) {
	t.Helper()
	ann, bob = newTestNode(t, "Ann"), newTestNode(t, "Bob")
	room = project(t, ann, bob) // Ann's seq 1: creating it
	for _, text := range []string{"two", "three", "four", "five"} {
		if _, err := ann.Send(context.Background(), "#project", text); err != nil {
			t.Fatal(err)
		}
	}
	connect(ann, bob)
	bob.PeerConnected(ann.id)
	bob.waitFor("Ann's five messages", func() bool { return bob.heldOf(room, ann.id) == 5 })
	return ann, bob, room
}

// heldOf is the highest seq of author n holds in room.
func (n *testNode) heldOf(room string, author peer.ID) uint64 {
	heads, err := n.store.RoomHeads(context.Background(), room)
	if err != nil {
		n.t.Fatal(err)
	}
	return heads[author.String()]
}

// lastSeq is the seq of the last message n gossiped in room.
func (n *testNode) lastSeq(room string) uint64 {
	n.t.Helper()
	env, err := hcrypto.UnmarshalEnvelope(n.lastGossip(room))
	if err != nil {
		n.t.Fatal(err)
	}
	return env.Seq
}

// A node restarted over a backup that holds only its seqs 1..2 learns 3..5
// back from a member before it posts: its post is 6, not a second 3.
func TestRestoredNodeNumbersPastWhatMembersHold(t *testing.T) {
	ann, bob, room := annPostedFive(t)
	again := newTestNodeKeyed(t, "Ann", ann.key, nil, restoredFrom(ann, 2))
	connect(again, bob) // Bob now reaches the restarted Ann
	again.net.topic(room).peers = []peer.ID{bob.id}
	if _, err := again.Send(context.Background(), "#project", "after the restore"); err != nil {
		t.Fatal(err)
	}
	if got := again.lastSeq(room); got != 6 {
		t.Fatalf("posted seq %d after a restore, want 6", got)
	}
	if got := again.heldOf(room, ann.id); got != 6 {
		t.Fatalf("restored node holds its own key up to %d, want 6", got)
	}
	if err := bob.net.topic(room).deliver(ann.id, again.lastGossip(room)); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("the new post", func() bool { return bob.heldOf(room, ann.id) == 6 })
	if n := bob.forkEvents(); n != 0 {
		t.Fatalf("Bob raised %d fork alerts against the restored node", n)
	}
}

// With no member reachable the post goes ahead on what the store holds;
// once a member is met, what it sends back of our own key moves the next
// seq past it.
func TestRestoredNodeAloneNumbersPastWhatItLearnsLater(t *testing.T) {
	ann, bob, room := annPostedFive(t)
	again := newTestNodeKeyed(t, "Ann", ann.key, nil, restoredFrom(ann, 2))
	if _, err := again.Send(context.Background(), "#project", "alone"); err != nil {
		t.Fatal(err)
	}
	if got := again.lastSeq(room); got != 3 {
		t.Fatalf("posted seq %d with nobody reachable, want 3", got)
	}
	connect(again, bob)
	again.net.topic(room).peers = []peer.ID{bob.id}
	if _, err := again.Send(context.Background(), "#project", "met Bob"); err != nil {
		t.Fatal(err)
	}
	if got := again.lastSeq(room); got != 6 {
		t.Fatalf("posted seq %d after meeting a member, want 6", got)
	}
}

// Our own envelopes that sync brings back are stored like anyone's, and
// the next post numbers past them even without a post-time catch-up.
func TestOwnEnvelopesFromSyncMoveTheNextSeq(t *testing.T) {
	ann, bob, room := annPostedFive(t)
	again := newTestNodeKeyed(t, "Ann", ann.key, nil, restoredFrom(ann, 2))
	if _, err := again.Send(context.Background(), "#project", "settle alone"); err != nil {
		t.Fatal(err)
	}
	again.poster.mu.Lock()
	again.poster.catchUp = nil // only intake from now on
	again.poster.mu.Unlock()
	connect(again, bob)
	again.PeerConnected(bob.id)
	again.waitFor("Ann's past self", func() bool { return again.heldOf(room, ann.id) == 5 })
	again.store.mu.Lock()
	e, ok := again.store.entries[entryKey{room, ann.id.String(), 5}]
	again.store.mu.Unlock()
	if !ok || e.Message.Author != ann.id.String() {
		t.Fatalf("own seq 5 not stored as Ann's: %+v", e)
	}
	if _, err := again.Send(context.Background(), "#project", "next"); err != nil {
		t.Fatal(err)
	}
	if got := again.lastSeq(room); got != 6 {
		t.Fatalf("posted seq %d, want 6", got)
	}
}

// Just after a start gossip may have found no member yet: the catch-up
// then asks every connected peer.
func TestRestoredNodeAsksConnectedPeersBeforeGossipFindsMembers(t *testing.T) {
	ann, bob, room := annPostedFive(t)
	again := newTestNodeKeyed(t, "Ann", ann.key, nil, restoredFrom(ann, 2))
	connect(again, bob) // connected, but no gossip peer in the room yet
	if _, err := again.Send(context.Background(), "#project", "after the restore"); err != nil {
		t.Fatal(err)
	}
	if got := again.lastSeq(room); got != 6 {
		t.Fatalf("posted seq %d after a restore, want 6", got)
	}
}
