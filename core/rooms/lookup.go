package rooms

import (
	"github.com/libp2p/go-libp2p/core/peer"
)

// Lookups by room id, for other features (serving and fetching room
// files, naming rooms in search), which declare what they use of these.

// IsJoined reports whether this node is in the room.
func (r *Registry) IsJoined(room string) bool { return r.Get(room) != nil }

// ResolveID is Resolve, giving the room's id.
func (r *Registry) ResolveID(ref string) (string, error) {
	j, err := r.Resolve(ref)
	if err != nil {
		return "", err
	}
	return j.id, nil
}

// Proof shows responder that requester holds the key of room, for what
// label names; ok is false when this node is not in the room.
func (r *Registry) Proof(room, label string, requester, responder peer.ID) (proof []byte, ok bool) {
	j := r.Get(room)
	if j == nil {
		return nil, false
	}
	p := j.Proof(label, requester, responder)
	return p[:], true
}

// CheckProof verifies a proof made with Proof; false when this node is not
// in the room.
func (r *Registry) CheckProof(room, label string, requester, responder peer.ID, proof []byte) bool {
	j := r.Get(room)
	return j != nil && j.CheckProof(label, requester, responder, proof)
}

// Peers lists the members of room whose gossip reaches us now; ok is
// false when this node is not in the room.
func (r *Registry) Peers(room string) (peers []peer.ID, ok bool) {
	j := r.Get(room)
	if j == nil {
		return nil, false
	}
	return j.Peers(), true
}
