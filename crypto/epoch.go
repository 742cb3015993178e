package crypto

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

const (
	epochProofInfo  = "hallway room epoch sync proof v1"
	epochTopicInfo  = "hallway room epoch topic v1"
	epochCommitInfo = "hallway room epoch key commitment v1"
	topicProofInfo  = "hallway room topic membership proof v1"
	// EpochChallengeBytes is the size of the fresh challenge a sync
	// responder sends before it reads the request.
	EpochChallengeBytes = 32
)

// EpochProof proves to responder that requester holds k as the key of a
// room's epoch. Both peers and the responder's fresh challenge are bound
// in, so a proof overheard, relayed to another peer or replayed later
// proves nothing.
func (k RoomKey) EpochProof(roomID string, epoch uint64, requester, responder, challenge []byte) [32]byte {
	return k.boundProof(epochProofInfo, roomID, epoch, requester, responder, challenge)
}

// TopicProof proves to verifier that prover holds k as the key of a
// room's epoch, before verifier lets prover into the epoch's gossip
// topic. It binds the same fields as EpochProof under a key of its own,
// so a proof made for one protocol is worthless in the other.
func (k RoomKey) TopicProof(roomID string, epoch uint64, prover, verifier, challenge []byte) [32]byte {
	return k.boundProof(topicProofInfo, roomID, epoch, prover, verifier, challenge)
}

// CheckTopicProof reports, in constant time, whether proof is
// TopicProof(roomID, epoch, prover, verifier, challenge) under k.
func (k RoomKey) CheckTopicProof(roomID string, epoch uint64, prover, verifier, challenge, proof []byte) bool {
	want := k.TopicProof(roomID, epoch, prover, verifier, challenge)
	return hmac.Equal(want[:], proof)
}

// boundProof is an HMAC, under a key derived from k for info, of every
// field with its length.
func (k RoomKey) boundProof(info, roomID string, epoch uint64, prover, verifier, challenge []byte) [32]byte {
	mac := hmac.New(sha256.New, hkdfSHA256(k[:], info, sha256.Size))
	var buf []byte
	for _, field := range [][]byte{[]byte(roomID), binary.BigEndian.AppendUint64(nil, epoch), prover, verifier, challenge} {
		buf = binary.AppendUvarint(buf[:0], uint64(len(field)))
		mac.Write(buf)
		mac.Write(field)
	}
	var out [32]byte
	mac.Sum(out[:0])
	return out
}

// CheckEpochProof reports, in constant time, whether proof is
// EpochProof(roomID, epoch, requester, responder, challenge) under k.
func (k RoomKey) CheckEpochProof(roomID string, epoch uint64, requester, responder, challenge, proof []byte) bool {
	want := k.EpochProof(roomID, epoch, requester, responder, challenge)
	return hmac.Equal(want[:], proof)
}

// EpochTopic is the gossip topic of a room's epoch under k: only holders
// of the key can name it, and it tells others neither the room nor the
// epoch. The room id is bound in too, so two rooms never share a topic.
func (k RoomKey) EpochTopic(roomID string, epoch uint64) string {
	mac := hmac.New(sha256.New, hkdfSHA256(k[:], epochTopicInfo, sha256.Size))
	mac.Write([]byte("topic"))
	mac.Write(binary.AppendUvarint(nil, uint64(len(roomID))))
	mac.Write([]byte(roomID))
	mac.Write(binary.BigEndian.AppendUint64(nil, epoch))
	return hex.EncodeToString(mac.Sum(nil)[:20])
}

// Commitment names a key without revealing it: when two members make a
// key for one epoch at once, every member keeps both and seals under the
// one whose commitment sorts first, so all end up on the same.
func (k RoomKey) Commitment() [32]byte {
	var out [32]byte
	copy(out[:], hkdfSHA256(k[:], epochCommitInfo, sha256.Size))
	return out
}
