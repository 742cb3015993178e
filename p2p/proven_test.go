package p2p

import (
	"context"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// joinUnproven follows room on n without taking any peer for a member.
func joinUnproven(t *testing.T, n *Node, room string) (*RoomTopic, *roomLog) {
	t.Helper()
	log := newRoomLog()
	rt, err := n.JoinRoom(room, room, false, func(author peer.ID, data []byte) (any, error) {
		return authored{author, string(data)}, nil
	}, func(_ peer.ID, v any) {
		a := v.(authored)
		log.mu.Lock()
		log.by[a.author] = append(log.by[a.author], a.text)
		log.mu.Unlock()
		select {
		case log.changed <- struct{}{}:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Leave() })
	return rt, log
}

// Cat subscribes to a room topic whose name it overheard but never proved
// it holds the key: Bob, a member, does not let it into the topic's mesh,
// so what Ann posts reaches Bob and is not forwarded to Cat. (Bob's own
// posts, flood-published, still reach every subscriber: see ROOMS.md.)
func TestRoomTrafficOnlyToProvenPeers(t *testing.T) {
	ann, _ := newTestNode(t, nil)
	bob, _ := newTestNode(t, nil)
	cat, _ := newTestNode(t, nil)
	const room = "r"
	at, _ := joinUnproven(t, ann, room)
	_, clog := joinUnproven(t, cat, room)
	ann.MarkProven(bob.host.ID(), room)
	cat.MarkProven(bob.host.ID(), room)
	connect(t, ann, bob)
	connect(t, bob, cat)
	// Bob knows both subscriptions before joining, so joining grafts at
	// once every peer the filter lets in.
	h, err := bob.ps.Join(roomTopicPrefix + room)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := h.EventHandler()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	seen := map[peer.ID]bool{}
	for len(seen) < 2 {
		e, err := ev.NextPeerEvent(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen[e.Peer] = e.Type == pubsub.PeerJoin
	}
	ev.Cancel()
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	bob.MarkProven(ann.host.ID(), room) // Ann proved the key; Cat did not
	bt, blog := joinUnproven(t, bob, room)
	waitTopicPeers(t, at, 1)
	waitTopicPeers(t, bt, 2)
	if err := at.Publish(context.Background(), []byte("from Ann")); err != nil {
		t.Fatal(err)
	}
	blog.wait(t, "Ann's post at Bob", func() bool { return blog.count(ann.host.ID()) == 1 })
	// A barrier: Bob's own post goes to Cat on the same stream after
	// anything Bob forwarded to it before.
	if err := bt.Publish(context.Background(), []byte("from Bob")); err != nil {
		t.Fatal(err)
	}
	clog.wait(t, "Bob's post at Cat", func() bool { return clog.count(bob.host.ID()) == 1 })
	if n := clog.count(ann.host.ID()); n != 0 {
		t.Fatalf("Cat, who proved nothing, got %d of Ann's posts through Bob", n)
	}
}
