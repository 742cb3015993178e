package rooms

import (
	"context"
	"crypto/sha256"
	"maps"
	"slices"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/policy"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A private workspace made since admins exist has a workspace room
// (crypto/governance.go): an owned room whose creator made the workspace,
// whose admins are the workspace's, and whose log carries the workspace
// policy (memberlog.go). Every member follows it; it is never listed,
// named or posted to like a room.

// WorkspaceRoom names the workspace room.
type WorkspaceRoom struct {
	ID string
	// Seed is the creation's seed (hcrypto.OwnedRoomID), on the node that
	// made the workspace only.
	Seed []byte
}

// workspaceRoomName is its local name; never shown.
const workspaceRoomName = "workspace"

// policyStore finds the message that carried a policy, for its time.
type policyStore interface {
	MessageByID(ctx context.Context, author, id string) (storage.Message, bool, error)
}

// openWorkspaceRoom joins the workspace room on first open: its creator
// creates it, every other member joins it with the key every member holds.
func (m *Manager) openWorkspaceRoom(ctx context.Context) error {
	w := m.cfg.WorkspaceRoom
	if w.ID == "" || m.cfg.Workspace == nil || m.joined.Get(w.ID) != nil {
		return nil
	}
	r := storage.Room{ID: w.ID, Name: workspaceRoomName, Key: hcrypto.WorkspaceRoomKey(*m.cfg.Workspace, w.ID)}
	if len(w.Seed) > 0 && hcrypto.OwnedRoomID([]byte(m.deps.Net.ID()), w.Seed) == w.ID {
		m.poster.settle(w.ID) // new: nobody holds a message of ours in it
		return m.join(ctx, r, &hcrypto.MemberOp{Kind: hcrypto.BodyCreate, Target: w.Seed})
	}
	return m.join(ctx, r, &hcrypto.MemberOp{Kind: hcrypto.BodyJoin})
}

// errNoAdmins is what a node without a workspace room answers.
var errNoAdmins = chat.UserErrorf("this workspace has no admins: it is the open LAN workspace, or it was made before " +
	"workspaces had admins (`hallway workspace create` makes one that has them)")

func (m *Manager) workspaceRoom() (*Joined, error) {
	if id := m.cfg.WorkspaceRoom.ID; id != "" {
		if j := m.joined.Get(id); j != nil {
			return j, nil
		}
	}
	return nil, errNoAdmins
}

// Governed reports whether the workspace has admins (a workspace room).
func (m *Manager) Governed() bool {
	_, err := m.workspaceRoom()
	return err == nil
}

// WorkspaceRoomID is the workspace room's id, "" in a workspace without
// admins.
func (m *Manager) WorkspaceRoomID() string {
	if j, err := m.workspaceRoom(); err == nil {
		return j.id
	}
	return ""
}

// IsWorkspaceAdmin reports whether p is the workspace's creator or one of
// its admins, as the workspace room's log has it.
func (m *Manager) IsWorkspaceAdmin(p peer.ID) bool {
	j, err := m.workspaceRoom()
	return err == nil && j.roster().canManage(p.String())
}

// WorkspaceMembers lists the workspace's members with their roles:
// "owner" for its creator, "admin", "member", then those revoked.
func (m *Manager) WorkspaceMembers(ctx context.Context) ([]chat.RoomMember, error) {
	j, err := m.workspaceRoom()
	if err != nil {
		return nil, err
	}
	out, err := m.membersOf(ctx, j)
	if err != nil {
		return nil, err
	}
	out = append(out, m.admittedMembers(ctx, j)...)
	r := j.roster()
	for i := range out {
		if exp := r.expires[out[i].PeerID]; exp > 0 {
			out[i].Expires = time.UnixMilli(exp)
		}
	}
	return append(out, m.revokedMembers(j)...), nil
}

// SetAdmin names a workspace member an admin, or takes it back. Only an
// admin may, and nobody changes the creator's role or their own.
func (m *Manager) SetAdmin(ctx context.Context, peerRef string, admin bool) error {
	a, err := m.adminAction(ctx, peerRef, "name or remove admins")
	if err != nil {
		return err
	}
	j, r, self, target := a.room, a.roster, a.self, a.target
	switch x, in := r.role(target.String()); {
	case target == self:
		return chat.UserErrorf("another admin must change your role")
	case !in:
		return chat.UserErrorf("%s is not a member of the workspace (yet): they appear once their Hallway has joined", target.ShortString())
	case x == hcrypto.RoleOwner:
		return chat.UserErrorf("%s made the workspace and stays its admin", target.ShortString())
	case (x == hcrypto.RoleAdmin) == admin:
		return nil // as asked already
	}
	role := hcrypto.RoleMember
	if admin {
		role = hcrypto.RoleAdmin
	}
	e, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyRole, Target: []byte(target), Role: role})
	if err != nil {
		return err
	}
	return accepted(j, e)
}

// WorkspacePolicy is the policy in force: the zero document (nothing
// restricted) before an admin set one, or with no workspace room.
func (m *Manager) WorkspacePolicy() policy.Document {
	j, err := m.workspaceRoom()
	if err != nil {
		return policy.Document{}
	}
	if v := j.roster().currentPolicy(); v != nil {
		return v.doc
	}
	return policy.Document{}
}

// Policy is the policy in force, with who set it and when.
func (m *Manager) Policy(ctx context.Context) (chat.Policy, error) {
	j, err := m.workspaceRoom()
	if err != nil {
		return chat.Policy{}, err
	}
	v := j.roster().currentPolicy()
	if v == nil {
		return chat.Policy{Document: policy.Document{}.Marshal(), NoticeAcknowledged: true, Admins: m.admins(ctx, j)}, nil
	}
	return m.policyOut(ctx, j, *v), nil
}

// PolicyHistory lists every version accepted, oldest first.
func (m *Manager) PolicyHistory(ctx context.Context) ([]chat.Policy, error) {
	j, err := m.workspaceRoom()
	if err != nil {
		return nil, err
	}
	r := j.roster()
	if r == nil {
		return nil, nil
	}
	out := make([]chat.Policy, 0, len(r.policies))
	for _, v := range r.policies {
		out = append(out, m.policyOut(ctx, j, v))
	}
	return out, nil
}

// maxHeadRounds bounds the versions SetPolicy posts to gather heads: each
// names MaxOpParents of them, so this is room for thousands of members.
const maxHeadRounds = 256

// SetPolicy changes one setting of the policy (policy.Document.Set) as a
// new version, signed by us: only an admin may.
func (m *Manager) SetPolicy(ctx context.Context, key, value string) (chat.Policy, error) {
	j, err := m.workspaceRoom()
	if err != nil {
		return chat.Policy{}, err
	}
	r := j.roster()
	if !r.canManage(m.deps.Net.ID().String()) {
		return chat.Policy{}, chat.UserErrorf("only a workspace admin can change the workspace policy")
	}
	var doc policy.Document
	if v := r.currentPolicy(); v != nil {
		doc = v.doc
	}
	next, err := doc.Set(key, value)
	if err != nil {
		return chat.Policy{}, chat.NewUserError(err.Error(), err)
	}
	if next.AdmitsByAdmins() && !doc.AdmitsByAdmins() {
		// The members who joined by the key stay if the version that
		// turns admission on descends from their joins (admitByAdmins):
		// heads one operation cannot name go first into versions that
		// change nothing else.
		for range maxHeadRounds {
			if !j.roster().headsLeft {
				break
			}
			doc.Version++
			if _, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyPolicy, Payload: doc.Marshal()}); err != nil {
				return chat.Policy{}, err
			}
		}
		if next, err = doc.Set(key, value); err != nil {
			return chat.Policy{}, err
		}
	}
	e, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyPolicy, Payload: next.Marshal()})
	if err != nil {
		return chat.Policy{}, err
	}
	if err := accepted(j, e); err != nil {
		return chat.Policy{}, err
	}
	return m.Policy(ctx)
}

func (m *Manager) policyOut(ctx context.Context, j *Joined, v policyVersion) chat.Policy {
	out := chat.Policy{Version: v.doc.Version, SetBy: v.author, SetByName: v.name, Document: v.doc.Marshal(),
		Rules: v.doc.Describe(), Notice: v.doc.Notice}
	out.NoticeAcknowledged, out.AcknowledgedBy = acknowledged(j.roster(), v.doc.Notice, m.deps.Net.ID().String())
	out.Admins = m.admins(ctx, j)
	if msg, ok, err := m.deps.Store.MessageByID(ctx, v.author, v.id); err == nil && ok && msg.Conv == j.id {
		out.SetAt = msg.SentAt
	}
	return out
}

// admins are the workspace room's owner and admins, creator first, each
// named as this node knows its key.
func (m *Manager) admins(ctx context.Context, j *Joined) []chat.Colleague {
	r := j.roster()
	var out []chat.Colleague
	for _, p := range slices.Sorted(maps.Keys(r.roles)) {
		role := r.roles[p]
		if role != hcrypto.RoleOwner && role != hcrypto.RoleAdmin {
			continue
		}
		c, ok := m.colleagueOf(ctx, p, r.names[p])
		if !ok {
			continue
		}
		if role == hcrypto.RoleOwner {
			out = append([]chat.Colleague{c}, out...)
		} else {
			out = append(out, c)
		}
	}
	return out
}

// policyReplayed tells PolicyChanged of a new policy in force.
func (m *Manager) policyReplayed(ctx context.Context, prev, next *roster) {
	was, now := prev.currentPolicy(), next.currentPolicy()
	if now == nil || (was != nil && was.hash == now.hash && prev != nil) {
		return
	}
	var before policy.Document
	if was != nil && prev != nil {
		before = was.doc
	}
	if m.deps.PolicyChanged != nil {
		m.deps.PolicyChanged(ctx, before, now.doc)
	}
	if j, err := m.workspaceRoom(); err == nil && prev != nil {
		m.deps.Publisher.Publish(chat.PolicyChanged{Policy: m.policyOut(ctx, j, *now)})
	}
}

// AcknowledgeNotice records, signed, that the user read and accepts the
// acceptable-use notice of the policy in force.
func (m *Manager) AcknowledgeNotice(ctx context.Context) (chat.Policy, error) {
	j, err := m.workspaceRoom()
	if err != nil {
		return chat.Policy{}, err
	}
	v := j.roster().currentPolicy()
	if v == nil || v.doc.Notice == "" {
		return chat.Policy{}, chat.UserErrorf("the workspace policy has no acceptable-use notice to acknowledge")
	}
	if ok, _ := acknowledged(j.roster(), v.doc.Notice, m.deps.Net.ID().String()); ok {
		return m.Policy(ctx)
	}
	h := sha256.Sum256([]byte(v.doc.Notice))
	e, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyAck, Payload: h[:]})
	if err != nil {
		return chat.Policy{}, err
	}
	if err := accepted(j, e); err != nil {
		return chat.Policy{}, err
	}
	return m.Policy(ctx)
}

// acknowledged reports whether self acknowledged notice, and lists who
// did; with no notice there is nothing to acknowledge.
func acknowledged(r *roster, notice, self string) (bool, []string) {
	if notice == "" {
		return true, nil
	}
	if r == nil {
		return false, nil
	}
	h := sha256.Sum256([]byte(notice))
	var by []string
	for p, a := range r.acks {
		if _, in := r.roles[p]; in && a == h {
			by = append(by, p)
		}
	}
	slices.Sort(by)
	return slices.Contains(by, self), by
}

// adminAction is what an admin's action on a colleague starts from: the
// workspace room, its roster, ourselves, and the colleague meant. It
// fails unless we are an admin (to do what).
type adminAction struct {
	room   *Joined
	roster *roster
	self   peer.ID
	target peer.ID
}

func (m *Manager) adminAction(ctx context.Context, peerRef, what string) (adminAction, error) {
	j, err := m.workspaceRoom()
	if err != nil {
		return adminAction{}, err
	}
	target, err := m.deps.ResolvePeer(ctx, peerRef)
	if err != nil {
		return adminAction{}, err
	}
	a := adminAction{room: j, roster: j.roster(), self: m.deps.Net.ID(), target: target}
	if !a.roster.canManage(a.self.String()) {
		return adminAction{}, chat.UserErrorf("only a workspace admin can %s", what)
	}
	return a, nil
}
