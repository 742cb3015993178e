package rooms

import (
	"context"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"
)

// #general's key derives from the workspace key, which a revoked member
// keeps. While the workspace admits members by admins, a revocation
// therefore also moves #general to a new epoch whose key the revoking
// admin hands to the remaining members of the workspace room only, as
// any room's re-key does (Rekey); an admin hands its keys to each
// newcomer it admits. In a workspace that admits by the key, anyone with
// the key may join again, so #general keeps its derived key.

// generalRekeys reports whether #general moves on at revocations: the
// workspace has admins and admits members by them.
func (m *Manager) generalRekeys() bool {
	j, err := m.workspaceRoom()
	if err != nil {
		return false
	}
	v := j.roster().currentPolicy()
	return v != nil && v.doc.AdmitsByAdmins()
}

// general is the joined #general of a private workspace, or nil.
func (m *Manager) general() *Joined {
	for _, j := range m.joined.All() {
		if j.general && !j.liveOnly {
			return j
		}
	}
	return nil
}

// workspaceMembers are the members of the workspace room's log, as peer
// ids: who #general's keys go to.
func (m *Manager) workspaceMembers() []string {
	j, err := m.workspaceRoom()
	if err != nil {
		return nil
	}
	r := j.roster()
	out := make([]string, 0, len(r.roles))
	for p := range r.roles {
		out = append(out, p)
	}
	return out
}

// inWorkspace reports whether the workspace room's log counts p in: a
// member, or a newcomer an admin admitted.
func (m *Manager) inWorkspace(p peer.ID) bool {
	j, err := m.workspaceRoom()
	if err != nil {
		return false
	}
	r := j.roster()
	_, in := r.role(p.String())
	return in || r != nil && r.invited[p.String()]
}

// checkGeneralKey is why a key for an epoch of #general is refused: only
// a workspace admin hands them over, and only while #general re-keys.
func (m *Manager) checkGeneralKey(from peer.ID) error {
	switch {
	case !m.generalRekeys():
		return fmt.Errorf("#general is not re-keyed in this workspace")
	case !m.IsWorkspaceAdmin(from):
		return errNotAdminYet
	}
	return nil
}

// errNotAdminYet: a #general key from someone the workspace room's log does
// not (yet) show as an admin; held until it does.
var errNotAdminYet = fmt.Errorf("only a workspace admin hands over #general's keys")

// rekeyGeneral moves #general on without a revoked member, when this node
// is the admin who revoked it.
func (m *Manager) rekeyGeneral(revoked peer.ID) {
	g := m.general()
	if g == nil || !m.generalRekeys() {
		return
	}
	m.deps.Spawner.Go(func(ctx context.Context) {
		if err := m.Rekey(ctx, g.id, []peer.ID{revoked}); err != nil {
			m.log.Warn("re-key #general after a revocation", "err", err)
		}
	})
}

// handGeneralKeys gives an admitted newcomer #general's keys.
func (m *Manager) handGeneralKeys(ctx context.Context, to peer.ID) error {
	if g := m.general(); g != nil && m.generalRekeys() {
		return m.handKeys(ctx, g, to)
	}
	return nil
}

// behindInGeneral hands #general's keys to a member of the workspace room
// whose sync shows it lacks the newest epoch, when this node is an admin:
// a member away at a revocation gets the new key from any admin it meets,
// not only from the revoking admin's outbox. Once per member and epoch.
func (m *Manager) behindInGeneral(j *Joined, from peer.ID, proven map[uint64]bool) {
	if !j.general || j.liveOnly || !m.generalRekeys() || !m.IsWorkspaceAdmin(m.deps.Net.ID()) {
		return
	}
	newest, _ := j.current()
	if newest == 0 || proven[newest] {
		return
	}
	if ws, err := m.workspaceRoom(); err != nil {
		return
	} else if _, in := ws.roster().role(from.String()); !in {
		return // revoked, or never a member: not for it
	}
	if _, done := m.handedGeneral.LoadOrStore(handedKey{from, newest}, true); done {
		return
	}
	m.deps.Spawner.Go(func(ctx context.Context) {
		if err := m.handKeys(ctx, j, from); err != nil {
			m.log.Warn("hand #general's keys to a member behind", "peer", from, "err", err)
		}
	})
}

type handedKey struct {
	peer  peer.ID
	epoch uint64
}
