package adversary

import (
	"context"
	"errors"
	"fmt"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Redeem asks a member's node for the room of a code, whatever the code:
// one that expired, was revoked, or whose token belongs to another room. A
// genuine Hallway would stop at the first refusal; this one asks anyone.
// It returns the member's answer as sent.
func (p *Peer) Redeem(ctx context.Context, to peer.ID, c hcrypto.RoomCode) (p2p.RedeemReply, error) {
	h := c.Hash()
	return p.RedeemRaw(ctx, to, p2p.RedeemRequest{Room: c.Room, Lookup: h.Lookup(), Proof: h.Proof(c.Room, p.ID(), to)})
}

// RedeemRaw sends any redemption request, for example a proof made for
// another asker or another member (a replay by whoever relayed it).
func (p *Peer) RedeemRaw(ctx context.Context, to peer.ID, req p2p.RedeemRequest) (p2p.RedeemReply, error) {
	o := p.Send(ctx, to, p2p.ProtoRedeem, Frame(req.Marshal()), 10*time.Second)
	if !o.EOF {
		return p2p.RedeemReply{}, fmt.Errorf("redeem at %s: %v", to.ShortString(), o)
	}
	frames, err := ReadFrames(bytesReader(o.Reply), 1<<10)
	if err != nil {
		return p2p.RedeemReply{}, err
	}
	if len(frames) != 1 {
		return p2p.RedeemReply{}, errors.New("redeem: not one reply frame")
	}
	return p2p.DecodeRedeemReply(frames[0])
}
