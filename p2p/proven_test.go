package p2p

import (
	"testing"

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

// A room topic's Peers are the subscribed peers that proved the key: the
// members periodic sync asks. Cat subscribed to the name without proving.
func TestRoomPeersAreTheProvenOnes(t *testing.T) {
	ann, _ := newTestNode(t, nil)
	bob, _ := newTestNode(t, nil)
	cat, _ := newTestNode(t, nil)
	const room = "r"
	at, _ := joinUnproven(t, ann, room)
	joinUnproven(t, bob, room)
	joinUnproven(t, cat, room)
	connect(t, ann, bob)
	connect(t, ann, cat)
	waitTopicPeers(t, at, 2)
	if got := at.Peers(); len(got) != 0 {
		t.Fatalf("peers before any proof: %v", got)
	}
	ann.MarkProven(bob.host.ID(), room)
	if got := at.Peers(); len(got) != 1 || got[0] != bob.host.ID() {
		t.Fatalf("peers after Bob's proof: %v, want Bob alone", got)
	}
}
