package rooms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

func TestServeSyncAnswersWhatTheVectorLacks(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	room := project(t, ann)
	ctx := context.Background()
	for _, text := range []string{"one", "two", "three"} {
		if _, err := ann.Send(ctx, "#project", text); err != nil {
			t.Fatal(err)
		}
	}
	j := ann.Joined().Get(room)
	challenge := bytes.Repeat([]byte{1}, p2p.SyncChallengeBytes)
	proof := epochProofs(j, bob.id, ann.id, challenge)
	serve := func(req p2p.SyncRequest) []uint64 {
		t.Helper()
		var seqs []uint64
		err := ann.Syncer().ServeSync(ctx, bob.id, challenge, req, func(raw []byte) error {
			env, err := hcrypto.UnmarshalEnvelope(raw)
			if err != nil {
				return err
			}
			seqs = append(seqs, env.Seq)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return seqs
	}
	have := map[string]uint64{ann.id.String(): 2}
	if got := serve(p2p.SyncRequest{Rooms: []p2p.SyncRoom{{ID: room, Epochs: proof, Have: have}}}); !slices.Equal(got, []uint64{3, 4}) {
		t.Fatalf("served seqs %v, want [3 4]", got)
	}
	if got := serve(p2p.SyncRequest{Rooms: []p2p.SyncRoom{{ID: room, Epochs: proof}}}); len(got) != 4 {
		t.Fatalf("an empty vector got %v, want all 4", got)
	}
	wrong := epochProofs(j, ann.id, bob.id, challenge) // made for the other direction
	stale := epochProofs(j, bob.id, ann.id, bytes.Repeat([]byte{2}, p2p.SyncChallengeBytes))
	for name, r := range map[string]p2p.SyncRoom{
		"a proof for someone else":      {ID: room, Epochs: wrong},
		"a proof for another challenge": {ID: room, Epochs: stale},
		"no proof":                      {ID: room},
		"a room we are not in":          {ID: "roomwearenotin", Epochs: proof},
		"an invalid room id":            {ID: "Not A Room!", Epochs: proof},
	} {
		if got := serve(p2p.SyncRequest{Rooms: []p2p.SyncRoom{r}}); len(got) != 0 {
			t.Errorf("%s: served %v", name, got)
		}
	}
}

func TestJoinCatchesUpFromConnectedPeers(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	connect(ann, bob)
	room := project(t, ann)
	for _, text := range []string{"one", "two", "three", "four", "five"} {
		if _, err := ann.Send(context.Background(), "#project", text); err != nil {
			t.Fatal(err)
		}
	}
	project := ann.Joined().Get(room)
	r, err := bob.joinFrom(ann, project.ID())
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != room || r.Name != "project" {
		t.Fatalf("joined %+v", r)
	}
	bob.waitFor("Ann's history", func() bool { return bob.store.count(room) == 7 })
	heads, _ := bob.store.RoomHeads(context.Background(), room)
	if heads[ann.id.String()] != 6 || heads[bob.id.String()] != 1 {
		t.Fatalf("Bob's vector %v", heads)
	}
}

func TestGapIsAskedOfTheForwarder(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	room := project(t, ann, bob) // not connected: Bob has none of Ann's messages
	for _, text := range []string{"one", "two"} {
		if _, err := ann.Send(context.Background(), "#project", text); err != nil {
			t.Fatal(err)
		}
	}
	connect(ann, bob)
	if err := bob.net.topic(room).deliver(ann.id, ann.lastGossip(room)); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("the hole filled", func() bool { return bob.store.count(room) == 4 })
	bob.net.mu.Lock()
	asked := slices.Clone(bob.net.asked)
	bob.net.mu.Unlock()
	if !slices.Contains(asked, ann.id) {
		t.Fatalf("Bob asked %v, not Ann who forwarded the message", asked)
	}
}

// A peer refuses a request naming more than p2p.MaxSyncRooms rooms, so a
// node in more rooms asks in batches: every room catches up.
func TestCatchUpCoversMoreRoomsThanOneRequest(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	ctx := context.Background()
	const rooms = p2p.MaxSyncRooms + 44
	var ids []string
	for i := range rooms {
		r, err := ann.Create(ctx, fmt.Sprintf("room %d", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bob.joinFrom(ann, "room:"+r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := ann.Send(ctx, "room:"+r.ID, "while Bob was away"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	connect(ann, bob)
	bob.PeerConnected(ann.id)
	bob.waitFor("every room caught up", func() bool {
		for _, id := range ids {
			if bob.store.count(id) != 3 { // Ann's join and post, Bob's join
				return false
			}
		}
		return true
	})
	bob.net.mu.Lock()
	defer bob.net.mu.Unlock()
	if len(bob.net.requests) < 2 {
		t.Fatalf("%d rooms synced in %d requests", rooms+1, len(bob.net.requests))
	}
	for _, n := range bob.net.requests {
		if n > p2p.MaxSyncRooms {
			t.Fatalf("a request named %d rooms", n)
		}
	}
}

func TestSyncRequestsStayWithinLimits(t *testing.T) {
	var entries []p2p.SyncRoom
	have := map[string]uint64{}
	for i := range 3000 {
		have[fmt.Sprintf("12D3KooWAuthor%040d", i)] = uint64(i)
	}
	for range 600 {
		entries = append(entries, p2p.SyncRoom{ID: "04ab3xyzkmnpqrstvw0123456w", Epochs: []p2p.SyncEpoch{{Proof: make([]byte, 32)}}, Have: map[string]uint64{"a": 1}})
	}
	for range 5 {
		entries = append(entries, p2p.SyncRoom{ID: "04ab3xyzkmnpqrstvw0123456w", Epochs: []p2p.SyncEpoch{{Proof: make([]byte, 32)}}, Have: have})
	}
	reqs := syncRequests(entries, nil)
	n := 0
	for _, req := range reqs {
		b, _ := json.Marshal(req)
		if _, err := p2p.DecodeSyncRequest(b); err != nil || len(b) > 1<<20 {
			t.Fatalf("a request of %d rooms, %d bytes: %v", len(req.Rooms), len(b), err)
		}
		n += len(req.Rooms)
	}
	if n != len(entries) {
		t.Fatalf("%d of %d rooms requested", n, len(entries))
	}
}

// With no member in a room's gossip (they moved on to an epoch we were
// left out of), the periodic sync asks a connected peer the room's log
// lists as a member, and never one it does not.
func TestPeriodicSyncAsksListedMembersOutsideTheGossip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		ann, bob, dan := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Dan")
		room := project(t, ann, bob)
		meshed(t, room, ann, bob)
		connect(bob, dan)
		if _, err := ann.Send(ctx, "#project", "said while Bob was out of the gossip"); err != nil {
			t.Fatal(err)
		}
		bob.net.mu.Lock()
		bob.net.asked = nil
		bob.net.mu.Unlock()
		runPeriodicSync(bob, 3*syncEvery+time.Second)
		if !bob.holdsText(room, "said while Bob was out of the gossip") {
			t.Fatal("the periodic sync did not fetch the post from the listed member")
		}
		bob.net.mu.Lock()
		defer bob.net.mu.Unlock()
		if slices.Contains(bob.net.asked, dan.id) {
			t.Fatal("the periodic sync asked a peer that is not a member of the room")
		}
	})
}

// A peer in a room's gossip that answers nothing (another removed member
// on a modified client, left in the old epoch's topic with us) does not
// keep the periodic sync from the members its log lists: within as many
// rounds as there are partners each is asked, and the post comes through.
func TestPeriodicSyncIsNotKeptFromMembersByAPeerInTheGossip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		ann, bob, eve := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Eve")
		room := project(t, ann, bob)
		meshed(t, room, ann, bob)
		connect(bob, eve) // Eve holds nothing of the room
		if _, err := ann.Send(ctx, "#project", "said while Bob's gossip held only Eve"); err != nil {
			t.Fatal(err)
		}
		bob.net.topic(room).peers = []peer.ID{eve.id}
		runPeriodicSync(bob, 2*syncEvery+time.Second)
		if !bob.holdsText(room, "said while Bob's gossip held only Eve") {
			t.Fatal("the periodic sync asked only the peer in the gossip, which holds nothing")
		}
	})
}

// runPeriodicSync runs n's periodic sync for d of the bubble's clock, lets
// what it started settle, and stops it.
func runPeriodicSync(n *testNode, d time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); n.Syncer().Run(ctx) }()
	time.Sleep(d)
	synctest.Wait()
	cancel()
	<-done
}
