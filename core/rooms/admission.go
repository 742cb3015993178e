package rooms

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Admission. While the workspace policy admits members by admins
// (policy.AdmitByAdmins), holding the workspace key is not enough: a
// member is whom an admin admitted by their key, with an add operation of
// the workspace room's log signed by the admin (the membership
// statement), and every node refuses the connections of anyone else. So
// a fresh key pair made with the key, or a revoked member's, gets
// nowhere. The admission travels to the newcomer like an invitation to a
// room (an end-to-end DM, waiting in the outbox), and its node joins the
// workspace room naming it (memberlog.go).

// Admits reports whether p may connect to this node: anyone, unless the
// workspace policy admits members by admins; then members of the
// workspace room, and those an admin admitted who have not joined yet.
func (m *Manager) Admits(p peer.ID) bool {
	j, err := m.workspaceRoom()
	if err != nil {
		return true
	}
	r := j.roster()
	if v := r.currentPolicy(); v == nil || !v.doc.AdmitsByAdmins() {
		return true
	}
	if exp := r.expires[p.String()]; exp > 0 && m.now().UnixMilli() >= exp {
		return false // its membership statement expired
	}
	if _, in := r.role(p.String()); in {
		return true
	}
	return r.invited[p.String()]
}

// The gater refuses p unless Admits(p) or Entrant(p) (pass.go).

// AdmitOptions shape a membership statement.
type AdmitOptions struct {
	// Name is the name the admin knows the colleague by ("" for none).
	Name string
	// Expires is how long the membership lasts; 0: until revoked.
	Expires time.Duration
}

// Admit has an admin admit a colleague by their key: the membership
// statement goes into the workspace room's log, and the admission to
// them, with the room's keys, through the DM outbox.
func (m *Manager) Admit(ctx context.Context, peerRef string, opt AdmitOptions) error {
	a, err := m.adminAction(ctx, peerRef, "admit a colleague")
	if err != nil {
		return err
	}
	j, r, to := a.room, a.roster, a.target
	switch _, in := r.role(to.String()); {
	case in:
		return chat.UserErrorf("%s is a member of the workspace already (a membership that expires is renewed by revoking it and admitting again)", to.ShortString())
	case r.invited[to.String()] && opt == (AdmitOptions{}):
		return nil // admitted already; they join when their Hallway connects
	}
	st := hcrypto.Statement{Name: strings.TrimSpace(opt.Name)}
	if len(st.Name) > hcrypto.MaxStatementName || !utf8.ValidString(st.Name) {
		return chat.UserErrorf("the name is longer than %d bytes", hcrypto.MaxStatementName)
	}
	if opt.Expires < 0 {
		return chat.UserErrorf("a membership cannot expire in the past")
	}
	if opt.Expires > 0 {
		st.Expires = m.now().Add(opt.Expires).UnixMilli()
	}
	op := hcrypto.MemberOp{Kind: hcrypto.BodyAdd, Target: []byte(to)}
	if st != (hcrypto.Statement{}) {
		op.Payload = st.Marshal()
	}
	add, err := m.poster.postOp(ctx, j, op)
	if err != nil {
		return err
	}
	if err := accepted(j, add); err != nil {
		return err
	}
	meta, err := json.Marshal(p2p.RoomInvite{Room: j.id, Name: j.name, Key: j.key[:], Add: add.Op.Hash[:]})
	if err != nil {
		return err
	}
	if _, err := m.deps.QueueDM(ctx, to, "admitted you to the workspace", p2p.DMKindInvite, string(meta)); err != nil {
		return err
	}
	m.log.Info("admitted to the workspace", "peer", to)
	if err := m.handKeys(ctx, j, to); err != nil {
		return err
	}
	return m.handGeneralKeys(ctx, to)
}

// admittedInLog joins the workspace room once its log shows an admin's
// admission of us, however it came (sync from any member, when the admin
// who admitted us is away with the admission still in its outbox).
func (m *Manager) admittedInLog(j *Joined, r *roster, ops []logOp) {
	self := m.deps.Net.ID().String()
	if _, in := r.role(self); in || !r.invited[self] {
		return
	}
	for _, o := range ops {
		if o.op.Kind != hcrypto.BodyAdd || targetID(o.op.Target) != self || !r.accepted[o.hash] {
			continue
		}
		add := o.hash
		if !m.joining.CompareAndSwap(false, true) {
			return // a join is on its way
		}
		m.deps.Spawner.Go(func(ctx context.Context) {
			defer m.joining.Store(false)
			if _, in := j.roster().role(self); in {
				return
			}
			if _, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyJoin}, add); err != nil {
				m.log.Warn("join the workspace on an admission", "err", err)
			}
		})
		return
	}
}

// admittedMembers lists the colleagues an admin admitted who have not
// joined yet, for the member list.
func (m *Manager) admittedMembers(ctx context.Context, j *Joined) []chat.RoomMember {
	r := j.roster()
	var out []chat.RoomMember
	for _, p := range slices.Sorted(maps.Keys(r.invited)) {
		c, ok := m.colleagueOf(ctx, p, "")
		if !ok {
			continue
		}
		out = append(out, chat.RoomMember{Colleague: c, Role: chat.RoleAdmitted})
	}
	return out
}

// admittedPeers tells Admitted of each peer the log newly shows admitted,
// and of ourselves once the log held from its creation counts us in (a
// newcomer's roster counted its own join before it had the log).
func (m *Manager) admittedPeers(prev, next *roster) {
	if m.deps.Admitted == nil || prev == nil {
		return
	}
	self := m.deps.Net.ID()
	for p := range next.invited {
		if prev.invited[p] || p == self.String() {
			continue
		}
		if id, err := peer.Decode(p); err == nil {
			m.deps.Admitted(id)
		}
	}
	for p := range next.roles {
		_, was := prev.roles[p]
		if was || prev.invited[p] || p == self.String() {
			continue
		}
		// A newcomer that entered by a pass: the member serving it
		// keeps the connection until it has its answer.
		if id, err := peer.Decode(p); err == nil {
			if _, serving := m.entering.Load(id); !serving {
				m.deps.Admitted(id)
			}
		}
	}
	if countsIn(next, self) && !countsIn(prev, self) {
		m.deps.Admitted(self)
	}
}

// CountsUsIn reports whether our own log of the workspace room, held from
// its creation, counts us in: only then is a newcomer's entry settled.
func (m *Manager) CountsUsIn() bool {
	j, err := m.workspaceRoom()
	if err != nil {
		return false
	}
	return countsIn(j.roster(), m.deps.Net.ID())
}

// countsIn reports whether r, a log held from its creation, counts p in.
func countsIn(r *roster, p peer.ID) bool {
	_, in := r.role(p.String())
	return in && r.owned
}

// welcome hands each member the workspace room's log newly accepted the
// keys of its epochs (and #general's, where it re-keys), when this node is
// an admin: a member that joined by the key holds the first epoch's key
// alone, so without them it could not read the policy or the admins'
// later operations. Every admin online does; a key held already is not
// taken twice.
func (m *Manager) welcome(j *Joined, prev, next *roster) {
	self := m.deps.Net.ID()
	if prev == nil || !next.canManage(self.String()) {
		return
	}
	for p := range next.roles {
		if _, was := prev.roles[p]; was || p == self.String() {
			continue
		}
		id, err := peer.Decode(p)
		if err != nil {
			continue
		}
		m.deps.Spawner.Go(func(ctx context.Context) {
			if err := m.handKeys(ctx, j, id); err != nil {
				m.log.Warn("hand the workspace room's keys to a new member", "peer", id, "err", err)
			}
			if err := m.handGeneralKeys(ctx, id); err != nil {
				m.log.Warn("hand #general's keys to a new member", "peer", id, "err", err)
			}
		})
	}
}

// errNotAdmission: an invitation that is not one to our workspace room.
var errNotAdmission = errors.New("not an admission to our workspace")

// admitted joins the workspace room on an admin's admission of us: no
// consent to ask, it is our own workspace. The log checks the admission
// (the add it names) like any other.
func (m *Manager) admitted(ctx context.Context, from peer.ID, inv *p2p.RoomInvite) error {
	j := m.joined.Get(inv.Room)
	if j == nil || !j.workspace || len(inv.Add) != len(hcrypto.OpHash{}) {
		return errNotAdmission
	}
	if _, in := j.roster().role(m.deps.Net.ID().String()); in {
		return nil // a member already
	}
	if j.key != hcrypto.RoomKey(inv.Key) {
		return chat.UserErrorf("an admission to the workspace under another key")
	}
	if !m.joining.CompareAndSwap(false, true) {
		return nil // the log's admission is being joined on already
	}
	defer m.joining.Store(false)
	e, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyJoin}, hcrypto.OpHash(inv.Add))
	if err != nil {
		return err
	}
	m.log.Info("joined the workspace on an admission", "by", from, "seq", e.Seq)
	return nil
}

// foreignInGeneral reports whether author's envelopes of room are not kept
// (committer.admit): room is #general, and we have not the workspace
// room's log yet, or it admits members by admins and never counted author
// in.
func (m *Manager) foreignInGeneral(room, author string) bool {
	g := m.general()
	if g == nil || g.id != room {
		return false
	}
	j, err := m.workspaceRoom()
	if err != nil {
		return false
	}
	r := j.roster()
	if r == nil || !r.owned {
		// Without the log we cannot tell who is in: keep nobody's
		// posts but ours until it arrives (sync offers them again).
		return true
	}
	if v := r.currentPolicy(); v == nil || !v.doc.AdmitsByAdmins() {
		return false
	}
	_, in := r.roles[author]
	_, was := r.cutoffs[author]
	return !in && !was && !r.invited[author]
}
