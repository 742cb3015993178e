package rooms

import (
	"context"
	"errors"
	"slices"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// maxRedeemAsks bounds the peers a joiner asks for one code.
const maxRedeemAsks = 64

// The answers a joiner gets when a code gives nothing.
var (
	ErrCodeExpired     = errors.New("this code has expired; ask a member of the room for a new one")
	ErrCodeRevoked     = errors.New("this code was revoked; ask a member of the room for a new one")
	ErrCodeUsedUp      = errors.New("this code has been used up; ask a member of the room for a new one")
	ErrCodeUnreachable = errors.New("no member of this room is reachable; try again when one of them is online")
	ErrCodeUnknown     = errors.New("no member of this room that could be reached knows this code; check it, or ask for a new one")
)

// ServeRedeem answers a colleague redeeming a code of one of our rooms:
// the room, by its name here, and its key, when the code is known here,
// the proof is theirs for us, and the code is neither revoked, expired
// (by our clock) nor used up. A code's uses are its distinct joiners as
// recorded here; members redeeming one code at the same moment may
// together let in more than it allows, by at most one per member.
func (m *Manager) ServeRedeem(ctx context.Context, from peer.ID, req p2p.RedeemRequest) p2p.RedeemReply {
	j := m.joined.Get(req.Room)
	if j == nil || j.general {
		return p2p.RedeemReply{Status: p2p.RedeemNotMember}
	}
	c, ok, err := m.deps.Store.RoomCodeByLookup(ctx, j.id, req.Lookup, from.String())
	if err != nil {
		m.log.Warn("redeem: read code", "room", j.id, "err", err)
		return p2p.RedeemReply{Status: p2p.RedeemUnknown}
	}
	if !ok || !hcrypto.CodeHash(c.Hash).CheckProof(req.Proof, j.id, from, m.deps.Net.ID()) {
		return p2p.RedeemReply{Status: p2p.RedeemUnknown}
	}
	issuer, err := peer.Decode(c.Issuer)
	switch {
	case err != nil || c.Revoked || !canIssueCodes(j, issuer):
		return p2p.RedeemReply{Status: p2p.RedeemRevoked}
	case !time.Now().Before(c.ExpiresAt):
		return p2p.RedeemReply{Status: p2p.RedeemExpired}
	case c.MaxUses > 0 && c.Uses >= c.MaxUses:
		return p2p.RedeemReply{Status: p2p.RedeemUsedUp}
	}
	if err := m.deps.Store.AddRoomCodeUse(ctx, j.id, c.Hash, from.String()); err != nil {
		m.log.Warn("redeem: record use", "room", j.id, "err", err)
		return p2p.RedeemReply{Status: p2p.RedeemUnknown}
	}
	m.log.Info("room code redeemed", "room", j.id, "by", from)
	rep := p2p.RedeemReply{Status: p2p.RedeemOK, Room: j.id, Name: j.name, Key: j.key}
	for _, k := range slices.Backward(j.allKeys(p2p.MaxRedeemEpochs + 1)) {
		if k.epoch > 0 {
			rep.Epochs = append(rep.Epochs, p2p.RedeemEpoch{Epoch: k.epoch, Key: k.key})
		}
	}
	return rep
}

// JoinCode joins a room with a code: typing it is the user's consent. The
// code's issuer is asked first when connected, then every connected
// colleague, then the issuer again by dialing it; the first member that
// knows the code answers. A code that expired, was revoked or is used up
// gives nothing.
func (m *Manager) JoinCode(ctx context.Context, code string) (chat.Room, error) {
	c, err := hcrypto.ParseRoomCode(code)
	if errors.Is(err, hcrypto.ErrOldRoomCode) {
		return chat.Room{}, chat.NewUserError(hcrypto.ErrOldRoomCode.Error(), err)
	}
	if err != nil {
		return chat.Room{}, chat.UserErrorf("that room code does not work: %v", err)
	}
	if j := m.joined.Get(c.Room); j != nil {
		if _, cut := j.roster().cutoff(m.deps.Net.ID().String()); !cut {
			return m.summary(ctx, j)
		}
		// Removed (or gone): a code lets them back in, as an invitation does.
	}
	rep, from, err := m.redeem(ctx, c)
	if err != nil {
		return chat.Room{}, chat.NewUserError(err.Error(), err)
	}
	if err := chat.CheckRoomName(rep.Name); err != nil {
		return chat.Room{}, chat.UserErrorf("that room code does not work: %v", err)
	}
	h := c.Hash()
	op := &hcrypto.MemberOp{Kind: hcrypto.BodyJoin, Target: h[:]}
	if err := m.join(ctx, storage.Room{ID: c.Room, Name: rep.Name, Key: rep.Key}, op); err != nil {
		return chat.Room{}, err
	}
	// The keys of the room's later epochs, as a key from a member is taken
	// (acceptKey): the member that redeemed is checked against the log.
	for _, e := range rep.Epochs {
		k := p2p.RoomKey{Room: c.Room, Epoch: e.Epoch, Key: e.Key[:]}
		if err := m.acceptKey(ctx, from, &k); err != nil {
			m.log.Warn("room key from a redemption refused", "room", c.Room, "epoch", e.Epoch, "err", err)
		}
	}
	return m.summary(ctx, m.joined.Get(c.Room))
}

// redeem asks members for the room of code c.
func (m *Manager) redeem(ctx context.Context, c hcrypto.RoomCode) (p2p.RedeemReply, peer.ID, error) {
	self := m.deps.Net.ID()
	connected := m.deps.Net.ConnectedPeers()
	var order []peer.ID
	if slices.Contains(connected, c.Issuer) {
		order = append(order, c.Issuer)
	}
	for _, p := range connected {
		if p != c.Issuer && p != self {
			order = append(order, p)
		}
	}
	if !slices.Contains(order, c.Issuer) && c.Issuer != self {
		order = append(order, c.Issuer)
	}
	if len(order) > maxRedeemAsks {
		order = append(order[:maxRedeemAsks-1], order[len(order)-1])
	}
	h := c.Hash()
	req := p2p.RedeemRequest{Room: c.Room, Lookup: h.Lookup()}
	known := false
	for _, p := range order {
		if ctx.Err() != nil {
			return p2p.RedeemReply{}, "", ctx.Err()
		}
		req.Proof = h.Proof(c.Room, self, p)
		rep, err := m.deps.Net.Redeem(ctx, p, req)
		if err != nil {
			m.log.Info("room code: a colleague asked gave no answer", "peer", p, "err", err)
			continue
		}
		switch rep.Status {
		case p2p.RedeemOK:
			if rep.Room == c.Room {
				return rep, p, nil
			}
		case p2p.RedeemUnknown:
			known = true
		case p2p.RedeemExpired:
			return p2p.RedeemReply{}, "", ErrCodeExpired
		case p2p.RedeemRevoked:
			return p2p.RedeemReply{}, "", ErrCodeRevoked
		case p2p.RedeemUsedUp:
			return p2p.RedeemReply{}, "", ErrCodeUsedUp
		}
	}
	if known {
		return p2p.RedeemReply{}, "", ErrCodeUnknown
	}
	return p2p.RedeemReply{}, "", ErrCodeUnreachable
}
