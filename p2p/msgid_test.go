package p2p

import (
	"testing"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
)

// An author's two different envelopes under one gossip sequence number
// are two messages: the second is not dropped as seen, so a member can
// hold both and find the fork.
func TestGossipIDIsTheContent(t *testing.T) {
	topic := roomTopicPrefix + "r"
	msg := func(data string) *pb.Message {
		return &pb.Message{From: []byte("author"), Seqno: []byte{0, 0, 0, 0, 0, 0, 0, 1}, Topic: &topic, Data: []byte(data)}
	}
	a, b := msg("version A"), msg("version B")
	if contentID(a) == contentID(b) {
		t.Fatal("two envelopes under one author and sequence number share a gossip id")
	}
	if contentID(a) != contentID(msg("version A")) {
		t.Fatal("the same envelope has two gossip ids")
	}
	other := roomTopicPrefix + "s"
	c := msg("version A")
	c.Topic = &other
	if contentID(a) == contentID(c) {
		t.Fatal("the same bytes in two topics share a gossip id")
	}
}
