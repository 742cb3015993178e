package adversary

import (
	"time"

	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// MemberOp is a membership operation of the adversary's own, whatever
// rights it has in the room: sealed with the room key it holds and signed
// by its own key, so every check but the rights one passes. A member
// removing the owner, granting itself admin or adding a colleague sends
// one of these.
func (p *Peer) MemberOp(key hcrypto.RoomKey, room string, seq uint64, op hcrypto.MemberOp) (*hcrypto.Envelope, error) {
	body := hcrypto.RoomBody{Kind: op.Kind, Name: "Mallory", SentAt: time.Now().UnixMilli(), Text: string(op.Marshal())}
	return hcrypto.SealEnvelope(key, 0, p.Key, room, []byte(p.ID()), seq, hlcNow(), body.Marshal())
}

// Remove is a removal of target signed by the adversary.
func Remove(target peer.ID, cutoff uint64, parents ...hcrypto.OpHash) hcrypto.MemberOp {
	return hcrypto.MemberOp{Kind: hcrypto.BodyRemove, Target: []byte(target), Cutoff: cutoff, Parents: parents}
}

// Grant is a role change of target signed by the adversary.
func Grant(target peer.ID, role hcrypto.Role, parents ...hcrypto.OpHash) hcrypto.MemberOp {
	return hcrypto.MemberOp{Kind: hcrypto.BodyRole, Target: []byte(target), Role: role, Parents: parents}
}
