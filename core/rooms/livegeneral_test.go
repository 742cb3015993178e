package rooms

import (
	"bytes"
	"context"
	"slices"
	"testing"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// served counts the envelopes node serves to requester for room, asked
// with a valid proof and an empty vector.
func served(t *testing.T, node, requester *testNode, room string) int {
	t.Helper()
	challenge := bytes.Repeat([]byte{7}, p2p.SyncChallengeBytes)
	epochs := epochProofs(node.Joined().Get(room), requester.id, node.id, challenge)
	n := 0
	err := node.Syncer().ServeSync(context.Background(), requester.id, challenge,
		p2p.SyncRequest{Rooms: []p2p.SyncRoom{{ID: room, Epochs: epochs}}},
		func([]byte) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpenGeneralIsLiveOnly(t *testing.T) {
	ctx := context.Background()
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	general, _ := hcrypto.GeneralRoom(nil)
	if !ann.Joined().Get(general).LiveOnly() {
		t.Fatal("the open workspace's #general is not live only")
	}
	room := project(t, ann, bob) // not connected yet
	for _, text := range []string{"said before Bob came", "and more"} {
		if _, err := ann.Send(ctx, "#general", text); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ann.Send(ctx, "#project", "project news"); err != nil {
		t.Fatal(err)
	}

	// Served: nothing of #general, even to a valid proof; #project is.
	if n := served(t, ann, bob, general); n != 0 {
		t.Fatalf("served %d #general envelopes of the open workspace", n)
	}
	if n := served(t, ann, bob, room); n == 0 {
		t.Fatal("served nothing of #project")
	}

	// Asked: the catch-up on connect leaves #general out and still
	// catches #project up.
	connect(ann, bob)
	bob.PeerConnected(ann.id)
	// Bob holds his join; Ann's join and post arrive.
	bob.waitFor("#project caught up", func() bool { return bob.store.count(room) == 3 })
	if _, err := ann.Send(ctx, "#project", "a witness"); err != nil {
		t.Fatal(err)
	}
	bob.Syncer().Request(ann.id, []string{general, room})
	bob.waitFor("the witness", func() bool { return bob.store.count(room) == 4 })
	if asked := bob.net.askedRooms(); slices.Contains(asked, general) || !slices.Contains(asked, room) {
		t.Fatalf("Bob's syncs asked for %v: want #project, never #general (%s)", asked, general)
	}
	if n := bob.store.count(general); n != 1 {
		t.Fatalf("Bob holds %d #general messages, want only his own join", n)
	}

	// Live: what Ann says now reaches Bob by gossip.
	if _, err := ann.Send(ctx, "#general", "said while Bob is here"); err != nil {
		t.Fatal(err)
	}
	if err := bob.net.topic(general).deliver(ann.id, ann.lastGossip(general)); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("the live message", func() bool { return bob.store.count(general) == 2 })

	// Its members are who is in it now, not the joins of its past.
	bob.net.topic(general).mu.Lock()
	bob.net.topic(general).peers = []peer.ID{ann.id}
	bob.net.topic(general).mu.Unlock()
	ms, err := bob.Members(ctx, "#general")
	if err != nil || len(ms) != 2 || !ms[0].You || ms[1].PeerID != ann.id.String() {
		t.Fatalf("members of the open #general: %+v %v", ms, err)
	}
	if rs, _ := bob.List(ctx); rs[0].Members != 2 || !rs[0].OpenLAN {
		t.Fatalf("rooms: %+v", rs)
	}
}

func TestPrivateGeneralStillSyncs(t *testing.T) {
	ctx := context.Background()
	ws, err := hcrypto.NewWorkspaceKey()
	if err != nil {
		t.Fatal(err)
	}
	ann, bob := newTestNodeIn(t, "Ann", &ws), newTestNodeIn(t, "Bob", &ws)
	general, _ := hcrypto.GeneralRoom(&ws)
	if ann.Joined().Get(general).LiveOnly() {
		t.Fatal("a private workspace's #general is live only")
	}
	if _, err := ann.Send(ctx, "#general", "said before Bob came"); err != nil {
		t.Fatal(err)
	}
	if n := served(t, ann, bob, general); n != 2 {
		t.Fatalf("served %d #general envelopes, want Ann's join and post", n)
	}
	connect(ann, bob)
	bob.PeerConnected(ann.id)
	bob.waitFor("#general caught up", func() bool { return bob.store.count(general) == 3 })
}
