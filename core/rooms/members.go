package rooms

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

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
	if r := j.roster(); r != nil && !j.general {
		out := make([]storage.Member, 0, len(r.roles))
		for p := range r.roles {
			out = append(out, storage.Member{Peer: p, Name: r.names[p]})
		}
		slices.SortFunc(out, func(a, b storage.Member) int {
			return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Peer, b.Peer))
		})
		return out, nil
	}
	rows, err := m.deps.Store.RoomMembers(ctx, j.id)
	if err != nil {
		return nil, fmt.Errorf("room members: %w", err)
	}
	return rows, nil
}

// memberCount is how many members m.members lists, without listing them
// where the store can count them.
func (m *Manager) memberCount(ctx context.Context, j *Joined) (int, error) {
	if j.liveOnly {
		return 1 + len(j.Peers()), nil
	}
	if r := j.roster(); r != nil && !j.general {
		return len(r.roles), nil
	}
	n, err := m.deps.Store.RoomMemberCount(ctx, j.id)
	if err != nil {
		return 0, fmt.Errorf("room members: %w", err)
	}
	return n, nil
}

// roleOf is a member's role in the API.
func roleOf(j *Joined, p string) string {
	if j.general {
		return chat.RoleMember
	}
	if x, ok := j.roster().role(p); ok {
		return x.String()
	}
	return chat.RoleMember
}

// Members lists a room's members with their presence.
func (m *Manager) Members(ctx context.Context, ref string) ([]chat.RoomMember, error) {
	j, err := m.joined.Resolve(ref)
	if err != nil {
		return nil, err
	}
	return m.membersOf(ctx, j)
}

// membersOf lists j's members with their presence.
func (m *Manager) membersOf(ctx context.Context, j *Joined) ([]chat.RoomMember, error) {
	rows, err := m.members(ctx, j)
	if err != nil {
		return nil, err
	}
	self := m.deps.Net.ID().String()
	var out []chat.RoomMember
	for _, r := range rows {
		if r.Peer == self {
			me, _ := m.deps.Self(ctx)
			out = append(out, chat.RoomMember{You: true, Role: roleOf(j, self), Colleague: chat.Colleague{PeerID: self, Name: me.Name,
				Fingerprint: me.Fingerprint, Online: true, Status: me.Status, StatusText: me.StatusText}})
			continue
		}
		c, ok := m.colleagueOf(ctx, r.Peer, r.Name)
		if !ok {
			continue
		}
		out = append(out, chat.RoomMember{Colleague: c, Role: roleOf(j, r.Peer)})
	}
	return out, nil
}

// colleagueOf describes peer p for a member list; a colleague never met
// gets the name it signed into the log (signed), checked as any claim.
// ok is false for a string that is no peer id.
func (m *Manager) colleagueOf(ctx context.Context, p, signed string) (chat.Colleague, bool) {
	id, err := peer.Decode(p)
	if err != nil {
		return chat.Colleague{}, false
	}
	c := m.deps.Colleague(ctx, id)
	c.PeerID = p
	if c.Name == "" {
		a := m.deps.Author(ctx, p, signed)
		c.Name, c.NameShared = a.Name, a.Warning != nil
	}
	return c, true
}

// Moderates reports whether p may take back others' posts in the joined
// room with id room: its owner and admins, as the room's log has them
// now (#general has none).
func (m *Manager) Moderates(room, p string) bool {
	j := m.joined.Get(room)
	if j == nil || j.general {
		return false
	}
	return j.roster().canManage(p)
}
