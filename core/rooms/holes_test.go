package rooms

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// holed has Mallory post seqs 2, 4, …, 2n in room (1, 3, … never exist)
// and plants them in the logs of nodes, who all hold the same holed log.
func holed(t *testing.T, mal *mallory, room string, n int, nodes ...*testNode) {
	t.Helper()
	j := nodes[0].Joined().Get(room)
	var raws [][]byte
	at := time.Now()
	for i := 1; i <= n; i++ {
		raws = append(raws, mal.envelope(t, j, uint64(2*i), at.Add(time.Duration(i)*time.Millisecond), fmt.Sprint(i)))
	}
	for _, nd := range nodes {
		mal.plant(t, nd, nd.Joined().Get(room), raws...)
	}
}

// settled waits until no sync of the nodes' runs: one a pull asked for
// may otherwise still be under way while a test counts what is sent.
func settled(t *testing.T, nodes ...*testNode) {
	t.Helper()
	ended := make(chan struct{}, 64)
	for _, n := range nodes {
		n.Syncer().mu.Lock()
		n.Syncer().ended = ended
		n.Syncer().mu.Unlock()
	}
	busy := func() bool {
		for _, n := range nodes {
			n.Syncer().mu.Lock()
			k := len(n.Syncer().running)
			n.Syncer().mu.Unlock()
			if k > 0 {
				return true
			}
		}
		return false
	}
	deadline := time.After(10 * time.Second)
	for busy() {
		select {
		case <-ended:
		case <-deadline:
			t.Fatal("the syncs did not settle")
		}
	}
}

// Members holding the same holed log send nothing to each other, round
// after round; what is new still comes.
func TestHolesAreNotSentAgain(t *testing.T) {
	ann, bob, mal := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newMallory(t)
	room := project(t, ann, bob)
	connect(ann, bob)
	ctx := context.Background()
	// Bob's join has reached Ann, Ann's is Bob's: the logs agree but for
	// Mallory's holes.
	for range 2 {
		if err := bob.Syncer().pull(ctx, ann.id, []string{room}); err != nil {
			t.Fatal(err)
		}
		if err := ann.Syncer().pull(ctx, bob.id, []string{room}); err != nil {
			t.Fatal(err)
		}
	}
	settled(t, ann, bob) // the syncs back that these pulls started
	holed(t, mal, room, 20, ann, bob)
	before, bobBefore := ann.net.received()+bob.net.received(), bob.net.received()
	for range 3 {
		if err := bob.Syncer().pull(ctx, ann.id, []string{room}); err != nil {
			t.Fatal(err)
		}
		if err := ann.Syncer().pull(ctx, bob.id, []string{room}); err != nil {
			t.Fatal(err)
		}
	}
	if n := ann.net.received() + bob.net.received() - before; n != 0 {
		t.Fatalf("3 rounds each way resent %d envelopes both hold", n)
	}
	if _, err := ann.Send(ctx, "#project", "news"); err != nil {
		t.Fatal(err)
	}
	if err := bob.Syncer().pull(ctx, ann.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	if n := bob.net.received() - bobBefore; n != 1 {
		t.Fatalf("Bob got %d envelopes, want Ann's news alone", n)
	}
}

// A peer that ignores what we hold above a hole (an older Hallway) fills
// a whole batch with it: we do not ask again for what brought nothing new.
func TestAFullBatchOfWhatWeHoldIsNotAskedAgain(t *testing.T) {
	ann, bob, mal := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newMallory(t)
	room := project(t, ann, bob)
	connect(ann, bob)
	ctx := context.Background()
	if err := bob.Syncer().pull(ctx, ann.id, []string{room}); err != nil { // Ann's join
		t.Fatal(err)
	}
	settled(t, ann, bob) // the syncs back that the pull started
	holed(t, mal, room, p2p.MaxSyncBatch+100, ann, bob)
	before := bob.net.received()
	older := p2pServerFunc(func(ctx context.Context, from peer.ID, challenge []byte, req p2p.SyncRequest, send func([]byte) error) error {
		for i := range req.Rooms {
			req.Rooms[i].Held = nil
		}
		return ann.Syncer().ServeSync(ctx, from, challenge, req, send)
	})
	bob.net.mu.Lock()
	bob.net.servers[ann.id] = older
	bob.net.mu.Unlock()
	if err := bob.Syncer().pull(ctx, ann.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	// One batch of what Bob holds, then no more rounds.
	if n := bob.net.received() - before; n != p2p.MaxSyncBatch {
		t.Fatalf("Bob was sent %d envelopes he held, round after round", n)
	}
}
