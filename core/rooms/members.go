package rooms

import (
	"context"
	"fmt"

	"hallway/chat"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// members are a room's members: as its log last announced them, or for a
// live-only room, whose past joins nobody is given, who is in it now.
func (m *Manager) members(ctx context.Context, j *Joined) ([]storage.Member, error) {
	if j.liveOnly {
		out := []storage.Member{{Peer: m.deps.Net.ID().String()}}
		for _, p := range j.Peers() {
			out = append(out, storage.Member{Peer: p.String()})
		}
		return out, nil
	}
	rows, err := m.deps.Store.RoomMembers(ctx, j.id)
	if err != nil {
		return nil, fmt.Errorf("room members: %w", err)
	}
	return rows, nil
}

// Members lists a room's members with their presence.
func (m *Manager) Members(ctx context.Context, ref string) ([]chat.RoomMember, error) {
	j, err := m.joined.Resolve(ref)
	if err != nil {
		return nil, err
	}
	rows, err := m.members(ctx, j)
	if err != nil {
		return nil, err
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
