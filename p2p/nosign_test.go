package p2p

import (
	"context"
	"testing"
)

// Room gossip carries one signature, the envelope's: a message that also
// carries a pubsub author and signature, as libp2p signs by default, is
// refused before any validator reads it, and counts against its sender.
// Its content is a valid post; only the signature is extra.
func TestSignedGossipIsRefused(t *testing.T) {
	victim, _ := newTestNode(t, nil)
	signer, _ := newTestNodeWith(t, Config{floodPublish: true, signGossip: true})
	honest, _ := newTestNode(t, nil)
	connect(t, signer, victim)
	connect(t, honest, victim)
	vt, vlog := joinTestRoom(t, victim, "r")
	st, _ := joinTestRoom(t, signer, "r")
	ht, _ := joinTestRoom(t, honest, "r")
	waitTopicPeers(t, vt, 2)
	waitTopicPeers(t, st, 1)
	waitTopicPeers(t, ht, 1)
	waitMesh(t, honest, victim.ID(), "r")
	ctx := context.Background()
	for i := range 100 {
		if err := st.topic.Publish(ctx, testPost(signer, "signed %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	waitScore(t, victim, signer.ID(), publishThreshold)
	if err := ht.Publish(ctx, testPost(honest, "unsigned")); err != nil {
		t.Fatal(err)
	}
	vlog.wait(t, "the unsigned post", func() bool { return vlog.has(honest.ID(), "unsigned") })
	if k := vlog.count(signer.ID()); k != 0 {
		t.Fatalf("%d signed posts delivered, want none", k)
	}
}
