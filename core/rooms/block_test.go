package rooms

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// recordingServer answers sync like a member, and remembers the request.
type recordingServer struct {
	p2p.SyncServer
	mu   sync.Mutex // guards reqs
	reqs []p2p.SyncRequest
	// extra is sent after the answer, as a peer that ignores the vector.
	extra [][]byte
}

func (r *recordingServer) ServeSync(ctx context.Context, from peer.ID, challenge []byte, req p2p.SyncRequest, send func([]byte) error) error {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	if err := r.SyncServer.ServeSync(ctx, from, challenge, req, send); err != nil {
		return err
	}
	for _, raw := range r.extra {
		if err := send(raw); err != nil {
			return err
		}
	}
	return nil
}

// A blocked member's posts are not stored, whoever brings them: gossip is
// ignored without blaming the forwarder, a sync request asks for none of
// them, and any that come anyway are dropped. Unblocking fetches them.
func TestBlockedAuthorsPostsNeverStored(t *testing.T) {
	ann, bob, mal := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Mallory")
	room := project(t, ann, bob, mal)
	ctx := context.Background()
	bob.blocks.set(mal.id, true)
	var abuse [][]byte
	annHad := ann.store.count(room)
	for _, text := range []string{"abuse 1", "abuse 2"} {
		if _, err := mal.Send(ctx, "#project", text); err != nil {
			t.Fatal(err)
		}
		raw := mal.lastGossip(room)
		abuse = append(abuse, raw)
		if err := ann.net.topic(room).deliver(mal.id, raw); err != nil {
			t.Fatal(err)
		}
	}
	ann.waitFor("Mallory's posts at Ann", func() bool { return ann.store.count(room) == annHad+2 })
	byMal := func() int {
		rows, err := bob.store.RoomHistory(ctx, room, nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for _, r := range rows {
			if r.Author == mal.id.String() {
				k++
			}
		}
		return k
	}
	for _, raw := range abuse {
		err := bob.net.topic(room).deliver(mal.id, raw)
		if !errors.Is(err, p2p.ErrIgnore) {
			t.Fatalf("a blocked author's gossip: %v, want ignored", err)
		}
	}

	srv := &recordingServer{SyncServer: ann.Syncer(), extra: abuse}
	bob.net.mu.Lock()
	bob.net.servers[ann.id] = srv
	bob.net.mu.Unlock()
	if err := bob.Syncer().pull(ctx, ann.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	if got := byMal(); got != 0 {
		t.Fatalf("Bob holds %d posts of the blocked author", got)
	}
	if len(srv.reqs) == 0 || srv.reqs[0].Rooms[0].Have[mal.id.String()] != math.MaxInt64 {
		t.Fatalf("the sync request asked for the blocked author's posts: %+v", srv.reqs)
	}

	bob.blocks.set(mal.id, false)
	srv.extra = nil
	if err := bob.Syncer().pull(ctx, ann.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("Mallory's posts after the unblock", func() bool { return byMal() == 2 })
}
