package rooms

import (
	"context"
	"slices"
	"strings"

	"hallway/chat"
	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Revoke takes a member out of the workspace: its removal from the
// workspace room, signed by us (admins only). Once a node's log accepts
// it, that node refuses the member's connections (IsRevoked) and drops
// those it has; the workspace room moves to a new key without it.
func (m *Manager) Revoke(ctx context.Context, peerRef string) error {
	a, err := m.adminAction(ctx, peerRef, "revoke a member")
	if err != nil {
		return err
	}
	j, r, self, target := a.room, a.roster, a.self, a.target
	switch x, in := r.role(target.String()); {
	case target == self:
		return chat.UserErrorf("you cannot revoke yourself; another admin can")
	case x == hcrypto.RoleOwner:
		return chat.UserErrorf("%s made the workspace and cannot be revoked", target.ShortString())
	case !in:
		if m.IsRevoked(target) {
			return nil // as asked already
		}
		return chat.UserErrorf("%s is not a member of the workspace", target.ShortString())
	}
	cutoff, err := m.lastSeen(ctx, j.id, target.String())
	if err != nil {
		return err
	}
	e, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyRemove, Target: []byte(target), Cutoff: cutoff})
	if err != nil {
		return err
	}
	return accepted(j, e)
}

// IsRevoked reports whether the workspace room's log took p out (an
// admin's removal, or p's own leave) and p is not back in.
func (m *Manager) IsRevoked(p peer.ID) bool {
	j, err := m.workspaceRoom()
	if err != nil {
		return false
	}
	r := j.roster()
	if r == nil {
		return false
	}
	_, cut := r.cutoffs[p.String()]
	_, in := r.roles[p.String()]
	return cut && !in
}

// revokedInLog tells Revoked of each member the workspace room's log
// newly took out; the admin who revoked it moves #general on without it
// (generalkey.go).
func (m *Manager) revokedInLog(prev, next *roster) {
	if next == nil {
		return
	}
	for _, c := range next.cuts {
		if prev != nil && prev.accepted[c.hash] {
			continue
		}
		id, err := peer.Decode(c.peer)
		if err != nil || !m.IsRevoked(id) {
			continue
		}
		if m.deps.Revoked != nil {
			m.deps.Revoked(id)
		}
		if c.actor == m.deps.Net.ID().String() {
			m.rekeyGeneral(id)
		}
	}
}

// revokedMembers lists the peers the workspace took out, for the member
// list.
func (m *Manager) revokedMembers(j *Joined) []chat.RoomMember {
	r := j.roster()
	if r == nil {
		return nil
	}
	var out []chat.RoomMember
	for p := range r.cutoffs {
		if _, in := r.roles[p]; !in {
			out = append(out, chat.RoomMember{Colleague: chat.Colleague{PeerID: p, Name: r.names[p]}, Role: chat.RoleRevoked})
		}
	}
	slices.SortFunc(out, func(a, b chat.RoomMember) int { return strings.Compare(a.PeerID, b.PeerID) })
	return out
}
