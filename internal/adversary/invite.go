package adversary

import (
	"context"
	"fmt"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Invitation is a room invitation the hostile inviter makes up: any room
// id, any name, any key.
type Invitation struct {
	Room, Name string
	Key        hcrypto.RoomKey
}

// NewInvitation is an invitation to a fresh room of the inviter's own,
// with an id as nodes make them and the name it wants the victim to see.
func NewInvitation(name string) (Invitation, error) {
	id, err := hcrypto.NewRoomID()
	if err != nil {
		return Invitation{}, err
	}
	key, err := hcrypto.NewRoomKey()
	if err != nil {
		return Invitation{}, err
	}
	return Invitation{Room: id, Name: name, Key: key}, nil
}

// Invite sends invitations to a victim as direct messages, signed with the
// inviter's key like a genuine Hallway's, many to a stream as an outbox
// flushes them. It returns the victim's acknowledgements, in order.
func (p *Peer) Invite(ctx context.Context, to peer.ID, invs []Invitation) ([]DMAck, error) {
	const perStream = 100
	var acks []DMAck
	for start := 0; start < len(invs); start += perStream {
		var dms []p2p.DM
		for i, inv := range invs[start:min(start+perStream, len(invs))] {
			m := p2p.DM{ID: fmt.Sprintf("invite-%d-%d", time.Now().UnixNano(), start+i), Text: "invited you to #" + inv.Name,
				SentAt: time.Now().UnixMilli(), Kind: p2p.DMKindInvite,
				Invite: &p2p.RoomInvite{Room: inv.Room, Name: inv.Name, Key: inv.Key[:]}}
			sig, err := hcrypto.SignDM(p.Key, &hcrypto.DMContent{ID: m.ID, Author: []byte(p.ID()), Recipient: []byte(to),
				SentAt: m.SentAt, Kind: m.Kind, Text: m.Text,
				Invite: &hcrypto.DMInvite{Room: inv.Room, Name: inv.Name, KeyHash: hcrypto.RoomKeyHash(inv.Key[:])}})
			if err == nil {
				m.Sig = sig
			}
			dms = append(dms, m)
		}
		got, err := p.SendDMs(ctx, to, dms)
		acks = append(acks, got...)
		if err != nil {
			return acks, err
		}
	}
	return acks, nil
}
