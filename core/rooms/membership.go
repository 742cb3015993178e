package rooms

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// opStore is the membership log as the replay reads it.
type opStore interface {
	RoomOps(ctx context.Context, room string) ([]storage.RoomOp, error)
	FirstRoomJoin(ctx context.Context, room string) (string, bool, error)
	RoomHeads(ctx context.Context, room string) (map[string]uint64, error)
	HeldSpan(ctx context.Context, room, author string, head uint64) (lo, hi uint64, ok bool, err error)
}

// relog replays a room's membership log after it changed, and cuts the
// members whose removal or leave it newly accepted (see cut).
func (m *Manager) relog(ctx context.Context, j *Joined) error {
	return m.relogHeard(ctx, j, false)
}

// relogHeard is relog after operations arrived; live as in pending.
func (m *Manager) relogHeard(ctx context.Context, j *Joined, live bool) error {
	if j.general {
		return nil // the workspace's room: no owner, no removal
	}
	j.relogMu.Lock()
	defer j.relogMu.Unlock()
	rows, err := m.deps.Store.RoomOps(ctx, j.id)
	if err != nil {
		return err
	}
	ops := make([]logOp, 0, len(rows))
	for _, r := range rows {
		if len(r.Op) < 2 {
			continue
		}
		op, err := hcrypto.UnmarshalMemberOp(hcrypto.BodyKind(r.Op[1]), r.Op)
		if err != nil {
			continue // validated before it was stored; never here
		}
		ops = append(ops, logOp{hash: r.Hash, id: r.ID, author: r.Author, seq: r.Seq, op: op, name: r.Name})
	}
	g := genesis{workspace: j.workspace}
	if !ownedRoom(j.id, ops) {
		members, err := m.deps.Store.RoomMembers(ctx, j.id)
		if err != nil {
			return err
		}
		for _, x := range members {
			g.members = append(g.members, x.Peer)
			g.names = append(g.names, x.Name)
		}
		if g.owner, _, err = m.deps.Store.FirstRoomJoin(ctx, j.id); err != nil {
			return err
		}
	}
	next := replay(j.id, g, ops)
	prev := j.log.Swap(next)
	if j.workspace {
		m.policyReplayed(ctx, prev, next)
		m.revokedInLog(prev, next)
		m.admittedInLog(j, next, ops)
		m.welcome(j, prev, next)
		m.admittedPeers(prev, next)
		if g := m.general(); g != nil && m.held.has(g.id) {
			// #general's keys wait for the log to show their sender an admin.
			m.deps.Spawner.Go(func(ctx context.Context) { m.retryHeld(ctx, g.id) })
		}
	}
	if prev == nil {
		return nil // just opened: what it cuts was cut before
	}
	self := m.deps.Net.ID().String()
	for _, c := range next.cuts {
		if prev.accepted[c.hash] {
			continue
		}
		if c.leave {
			// A leave re-keys by the rank rule of leaverekey.go, which
			// still moves the room on when the owner is away.
			if id, err := peer.Decode(c.peer); err == nil {
				m.leaveCut(ctx, j, id, live)
			}
			continue
		}
		if !responsible(c, self) {
			continue
		}
		if id, err := peer.Decode(c.peer); err == nil {
			if err := m.cut(ctx, j, id); err != nil {
				m.log.Warn("cut a member", "room", j.id, "peer", c.peer, "err", err)
			}
		}
	}
	return nil
}

// ownedRoom reports whether one of ops may be the creation of an owned
// room (the replay checks it); otherwise the room predates operations.
func ownedRoom(room string, ops []logOp) bool {
	for i := range ops {
		if ops[i].op.Kind == hcrypto.BodyCreate && createsRoom(room, &ops[i]) {
			return true
		}
	}
	return false
}

// responsible reports whether self moves the room on after removal c:
// the remover does. (After a leave, the rank rule of leaverekey.go.)
func responsible(c cutEvent, self string) bool {
	return !c.leave && c.actor == self
}

// cut moves the room on once this node's removal of removed was
// accepted: the remaining members get a new key epoch (Rekey), sealed to
// each over their end-to-end channel, so removed reads nothing new.
func (m *Manager) cut(ctx context.Context, j *Joined, removed peer.ID) error {
	m.log.Info("member cut from room", "room", j.id, "peer", removed)
	m.announce(ctx, j.id)
	m.deps.Spawner.Go(func(ctx context.Context) {
		if err := m.Rekey(ctx, j.id, []peer.ID{removed}); err != nil {
			m.log.Warn("re-key after a removal failed", "room", j.id, "err", err)
		}
	})
	return nil
}

// parentsOf is the parents of a new operation: the log's heads, with extra.
func parentsOf(r *roster, extra []hcrypto.OpHash) []hcrypto.OpHash {
	var out []hcrypto.OpHash
	if r != nil {
		out = append(out, r.heads...)
	}
	out = append(out, extra...)
	slices.SortFunc(out, func(a, b hcrypto.OpHash) int { return bytes.Compare(a[:], b[:]) })
	out = slices.Compact(out)
	if len(out) > hcrypto.MaxOpParents {
		out = out[len(out)-hcrypto.MaxOpParents:]
	}
	return out
}

// managed resolves a room whose members the user means to change, and
// refuses #general.
func (m *Manager) managed(ref, what string) (*Joined, error) {
	j, err := m.joined.Resolve(ref)
	if err != nil {
		return nil, err
	}
	if j.general {
		return nil, chat.UserErrorf("#%s is the workspace's room: it has no owner, and %s", j.name, what)
	}
	return j, nil
}

// accepted waits for nothing: our own operation was committed and
// replayed before post returned; it reports why the log refused it.
func accepted(j *Joined, e *storage.RoomEntry) error {
	r := j.roster()
	if e == nil || e.Op == nil || r == nil {
		return nil
	}
	if why, ok := r.refused[e.Op.Hash]; ok {
		return chat.UserErrorf("the room's members refuse this change: %s", why)
	}
	return nil
}

// Remove removes a member (or an invited colleague) from a room: an owner
// or admin may, and every member's node checks it. Their posts past the
// last one we hold are refused from then on.
func (m *Manager) Remove(ctx context.Context, roomRef, peerRef string) error {
	j, err := m.managed(roomRef, "nobody can be removed from it")
	if err != nil {
		return err
	}
	target, err := m.deps.ResolvePeer(ctx, peerRef)
	if err != nil {
		return err
	}
	self := m.deps.Net.ID()
	r := j.roster()
	switch {
	case target == self:
		return chat.UserErrorf("to leave #%s, use hallway room leave", j.name)
	case !r.canManage(self.String()):
		return chat.UserErrorf("only the owner or an admin of #%s can remove members", j.name)
	case target.String() == r.owner:
		return chat.UserErrorf("the owner of #%s cannot be removed", j.name)
	}
	if _, in := r.role(target.String()); !in && !r.invited[target.String()] {
		return chat.UserErrorf("%s is not a member of #%s", target.ShortString(), j.name)
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

// lastSeen is the highest seq of author's we hold in a room.
func (m *Manager) lastSeen(ctx context.Context, room, author string) (uint64, error) {
	heads, err := m.deps.Store.RoomHeads(ctx, room)
	if err != nil {
		return 0, fmt.Errorf("room heads: %w", err)
	}
	head := heads[author]
	_, hi, ok, err := m.deps.Store.HeldSpan(ctx, room, author, head)
	if err != nil {
		return 0, fmt.Errorf("room heads: %w", err)
	}
	if ok && hi > head {
		return hi, nil
	}
	return head, nil
}

// SetRole makes a member an admin or a member again; only the owner may.
func (m *Manager) SetRole(ctx context.Context, roomRef, peerRef, role string) error {
	var want hcrypto.Role
	switch role {
	case "admin":
		want = hcrypto.RoleAdmin
	case "member":
		want = hcrypto.RoleMember
	default:
		return chat.UserErrorf("a role is admin or member, not %q", role)
	}
	j, err := m.managed(roomRef, "it has no admins")
	if err != nil {
		return err
	}
	target, err := m.deps.ResolvePeer(ctx, peerRef)
	if err != nil {
		return err
	}
	self := m.deps.Net.ID()
	r := j.roster()
	if x, _ := r.role(self.String()); x != hcrypto.RoleOwner {
		return chat.UserErrorf("only the owner of #%s can change roles", j.name)
	}
	if target == self {
		return chat.UserErrorf("you own #%s; the owner keeps their role", j.name)
	}
	if _, in := r.role(target.String()); !in {
		return chat.UserErrorf("%s is not a member of #%s", target.ShortString(), j.name)
	}
	e, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyRole, Target: []byte(target), Role: want})
	if err != nil {
		return err
	}
	return accepted(j, e)
}
