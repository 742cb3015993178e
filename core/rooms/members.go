package rooms

import (
	"context"
	"fmt"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Members lists a room's members with their presence.
func (m *Manager) Members(ctx context.Context, ref string) ([]chat.RoomMember, error) {
	j, err := m.joined.Resolve(ref)
	if err != nil {
		return nil, err
	}
	rows, err := m.deps.Store.RoomMembers(ctx, j.id)
	if err != nil {
		return nil, fmt.Errorf("room members: %w", err)
	}
	self := m.deps.Net.ID().String()
	var out []chat.RoomMember
	for _, r := range rows {
		if r.Peer == self {
			me, _ := m.deps.Self(ctx)
			out = append(out, chat.RoomMember{You: true, Colleague: chat.Colleague{PeerID: self, Name: me.Name,
				Fingerprint: me.Fingerprint, Online: true, Status: me.Status, StatusText: me.StatusText}})
			continue
		}
		id, err := peer.Decode(r.Peer)
		if err != nil {
			continue
		}
		c := m.deps.Colleague(ctx, id)
		if c.Name == "" {
			// Never met: the name its join claimed, checked as any claim.
			a := m.deps.Author(ctx, r.Peer, r.Name)
			c.Name, c.NameShared = a.Name, a.Warning != nil
		}
		out = append(out, chat.RoomMember{Colleague: c})
	}
	return out, nil
}
