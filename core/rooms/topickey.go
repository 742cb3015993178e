package rooms

import (
	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// topicKey is the key of one epoch of a room, as it proves membership of
// the epoch's gossip topic to the topic's other members.
type topicKey struct {
	room  string
	epoch uint64
	key   hcrypto.RoomKey
}

var _ p2p.TopicKey = topicKey{}

// Prove makes prover's proof for verifier's challenge.
func (k topicKey) Prove(prover, verifier peer.ID, challenge []byte) [32]byte {
	return k.key.TopicProof(k.room, k.epoch, []byte(prover), []byte(verifier), challenge)
}

// Check reports whether proof is prover's proof for verifier's challenge.
func (k topicKey) Check(prover, verifier peer.ID, challenge, proof []byte) bool {
	return k.key.CheckTopicProof(k.room, k.epoch, []byte(prover), []byte(verifier), challenge, proof)
}
