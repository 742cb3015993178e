package p2p

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// testKey is a room topic's key as a test holds it: proofs are an HMAC
// of both peers and the challenge.
type testKey string

func (k testKey) Prove(prover, verifier peer.ID, challenge []byte) [32]byte {
	mac := hmac.New(sha256.New, []byte(k))
	for _, f := range [][]byte{[]byte(prover), {0}, []byte(verifier), {0}, challenge} {
		mac.Write(f)
	}
	var out [32]byte
	mac.Sum(out[:0])
	return out
}

func (k testKey) Check(prover, verifier peer.ID, challenge, proof []byte) bool {
	want := k.Prove(prover, verifier, challenge)
	return hmac.Equal(want[:], proof)
}

// joinWithKey follows room on n, proving and checking membership with key
// (nil: an open room).
func joinWithKey(t *testing.T, n *Node, room string, key TopicKey) (*RoomTopic, *roomLog) {
	t.Helper()
	log := newRoomLog()
	rt, err := n.JoinRoom(room, room, key, log.validate, log.receive)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Leave() })
	return rt, log
}

func waitProven(t *testing.T, n *Node, id peer.ID, topic string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := n.WaitProven(ctx, id, topic); err != nil {
		t.Fatalf("%s never proved %s to %s: %v", id.ShortString(), topic, n.ID().ShortString(), err)
	}
}

func waitMesh(t *testing.T, n *Node, id peer.ID, topic string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := n.WaitMesh(ctx, id, topic); err != nil {
		t.Fatalf("%s never entered %s's mesh of %s: %v", id.ShortString(), n.ID().ShortString(), topic, err)
	}
}

// A room topic's Peers are the subscribed peers that proved the key, by
// the proof exchange their subscription starts: the members periodic sync
// asks. Cat subscribed to the name without the key.
func TestRoomPeersAreTheProvenOnes(t *testing.T) {
	ann, _ := newTestNode(t, nil)
	bob, _ := newTestNode(t, nil)
	cat, _ := newTestNode(t, nil)
	const room = "r"
	at, _ := joinWithKey(t, ann, room, testKey("k"))
	joinWithKey(t, bob, room, testKey("k"))
	joinWithKey(t, cat, room, testKey("not the key"))
	connect(t, ann, bob)
	connect(t, ann, cat)
	waitTopicPeers(t, at, 2)
	waitProven(t, ann, bob.host.ID(), room)
	if got := at.Peers(); len(got) != 1 || got[0] != bob.host.ID() {
		t.Fatalf("peers after Bob's proof: %v, want Bob alone", got)
	}
	if ann.proven.allows(cat.host.ID(), at.name) || cat.proven.allows(ann.host.ID(), at.name) {
		t.Fatal("a proof under another key was taken")
	}
}

// Only members receive a room's gossip: Cat copied the topic's name and
// subscribed, but cannot prove the key, so neither Ann's own posts nor
// those she and Dan forward reach it, while Bob gets every one.
func TestRoomGossipReachesOnlyProvenPeers(t *testing.T) {
	ann, _ := newTestNode(t, nil)
	bob, _ := newTestNode(t, nil)
	cat, _ := newTestNode(t, nil)
	dan, _ := newTestNode(t, nil)
	const room, posts = "r", 20
	at, _ := joinWithKey(t, ann, room, testKey("k"))
	_, bobLog := joinWithKey(t, bob, room, testKey("k"))
	dt, _ := joinWithKey(t, dan, room, testKey("k"))
	ct, catLog := joinWithKey(t, cat, room, testKey("overheard"))
	for _, p := range []*Node{bob, cat, dan} {
		connect(t, ann, p)
	}
	connect(t, dan, cat)
	waitTopicPeers(t, at, 3)
	waitTopicPeers(t, ct, 2)
	// Posts go to mesh peers alone, and a peer joins a mesh only after
	// its proof; in Hallway the mesh hook catches up what came before.
	for _, pair := range [][2]*Node{{ann, bob}, {bob, ann}, {ann, dan}, {dan, ann}} {
		waitMesh(t, pair[0], pair[1].host.ID(), room)
	}
	ctx := context.Background()
	for i := range posts {
		if err := at.Publish(ctx, testPost(ann, "ann %d", i)); err != nil {
			t.Fatal(err)
		}
		if err := dt.Publish(ctx, testPost(dan, "dan %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	bobLog.wait(t, "Bob to get every post", func() bool {
		return bobLog.count(ann.host.ID()) == posts && bobLog.count(dan.host.ID()) == posts
	})
	if n := catLog.count(ann.host.ID()) + catLog.count(dan.host.ID()); n != 0 {
		t.Fatalf("Cat, who never proved the key, received %d posts", n)
	}
}

// The mesh hook tells when a member enters our mesh of a room topic,
// never for a peer without the key.
func TestMeshHookNamesTheRoom(t *testing.T) {
	ann, _ := newTestNode(t, nil)
	bob, _ := newTestNode(t, nil)
	cat, _ := newTestNode(t, nil)
	entered := make(chan [2]string, 8)
	ann.SetMeshHook(func(p peer.ID, room string) { entered <- [2]string{p.String(), room} })
	joinWithKey(t, ann, "r", testKey("k"))
	joinWithKey(t, cat, "r", testKey("overheard"))
	joinWithKey(t, bob, "r", testKey("k"))
	connect(t, ann, cat)
	connect(t, ann, bob)
	select {
	case got := <-entered:
		if got != [2]string{bob.ID().String(), "r"} {
			t.Fatalf("mesh hook called for %v, want Bob in r", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Bob never entered Ann's mesh")
	}
	if ann.InMesh(cat.ID(), "r") {
		t.Fatal("Cat, without the key, is in Ann's mesh")
	}
}
