package rooms

import (
	"bytes"
	"cmp"
	"container/heap"
	"maps"
	"slices"

	hcrypto "hallway/crypto"
	"hallway/policy"

	"github.com/libp2p/go-libp2p/core/peer"
)

// The membership log of a room is the set of its membership operations
// (create, add, join, leave, remove, role), each signed by its actor and
// naming the operations it had seen as heads. Every member replays the
// same set the same way, so every member agrees on who is in the room and
// with which role, whatever order the operations arrived in:
//
//   - Order: a topological order of the operations (parents first); among
//     the operations ready at once, the smallest envelope id goes first. An
//     operation whose parents are not all held waits until they are.
//   - Rights, checked against the state the operations before it left: the
//     creation is accepted only from the key the room id was made from
//     (hcrypto.OwnedRoomID); owners and admins add (invite, or authorise a
//     code) and remove; only the owner changes roles; a join needs an add
//     of its author, or a code authorisation, among its ancestors, or names
//     no parents at all: it came in by today's room code, which is the room
//     key, and is placed after the creation; anyone may leave. Nobody removes the owner, or removes themselves (that is
//     a leave). An operation that fails its check is refused: it changes
//     nothing, on every member.
//   - Removal wins: an add or join of P that does not have every accepted
//     removal of P among its ancestors (it was concurrent with it) is
//     refused, in whichever order the two came.
//   - Concurrent removals of each other: the one first in the order is
//     accepted; the other's actor is no longer a member at that point.
//   - A removed member's operations above its cutoff (a leaver's above its
//     leave) are left out of the replay altogether, as intake refuses them.
//   - The workspace room (the room whose log names a workspace's admins)
//     differs in two ways: owners and admins change roles (nobody changes
//     the owner's, nor their own), and owners and admins set the workspace
//     policy. A policy is accepted when its document parses and its
//     version is above the one in force, or equal to it with a smaller
//     operation hash when neither knew of the other (policy.Newer): so
//     every member keeps the same version, whatever order they arrived in.
//     An older version, a replayed one or a non-admin's is refused.
//     While the policy in force admits members by admins, a join needs an
//     admin's add of its author among its ancestors: holding the key (a
//     join naming no parents) or a room code is not enough.
//
// A room made before operations existed (its id is not an owned one) starts
// from its plain joins and leaves: the author of the earliest join in the
// room's order is its owner, every other member a member.

// logOp is one operation of the log, as replayed.
type logOp struct {
	hash   hcrypto.OpHash
	id     string // the envelope id: the replay's tie-break
	author string // peer id
	seq    uint64
	op     hcrypto.MemberOp
	name   string // the name its author signed
}

// genesis is where a room made before operations starts: its owner and the
// members its plain joins and leaves left.
type genesis struct {
	// workspace: the room is the workspace room (see above).
	workspace bool
	owner     string
	members   []string
	names     []string // of each member, as its join signed it
}

// cutEvent is an accepted removal or leave.
type cutEvent struct {
	hash  hcrypto.OpHash
	peer  string
	actor string
	leave bool
}

// roster is the state a replay leaves: who is in the room, with which role.
type roster struct {
	owned   bool // the room has an accepted creation
	owner   string
	roles   map[string]hcrypto.Role
	invited map[string]bool
	// expires are, per member or admitted colleague, when the admin's
	// membership statement that let them in expires (unix ms).
	expires map[string]int64
	cutoffs map[string]uint64
	// gaps are, per member who came back, the seqs between a cutoff and
	// the join that followed it (both excluded): still refused.
	gaps map[string][][2]uint64
	// names are the names members signed into their joins.
	names map[string]string
	// refused names each refused operation's reason.
	refused  map[hcrypto.OpHash]string
	accepted map[hcrypto.OpHash]bool
	cuts     []cutEvent
	// codeBy names who authorised room codes (an add with no target).
	codeBy map[string]bool
	// heads are the operations no other held one names: the parents of
	// our next operation.
	heads []hcrypto.OpHash
	// headsLeft: there were more heads than one operation names.
	headsLeft bool
	// policy is the workspace policy in force (the workspace room only),
	// nil before the first; policies every version accepted, in order.
	policy   *policyVersion
	policies []policyVersion
	// acks are, per member, the hash of the acceptable-use notice it
	// last acknowledged (the workspace room only).
	acks map[string][32]byte
	// passes are the workspace passes the log opened (passlog.go).
	passes map[hcrypto.PassKey]*pass
}

// role is p's role, ok false when p is not a member.
func (r *roster) role(p string) (hcrypto.Role, bool) {
	if r == nil {
		return 0, false
	}
	x, ok := r.roles[p]
	return x, ok
}

// cutoff is the last seq of p's still taken, when p was removed or left.
func (r *roster) cutoff(p string) (uint64, bool) {
	if r == nil {
		return 0, false
	}
	c, ok := r.cutoffs[p]
	return c, ok
}

// cutMembers is every cut member's cutoff; nil for no roster.
func (r *roster) cutMembers() map[string]uint64 {
	if r == nil {
		return nil
	}
	return r.cutoffs
}

// pastCutoff reports whether seq of p's is numbered past p's cutoff, and
// so refused: p was removed or left, and is not invited back (an accepted
// add after the removal lets p's join in, and its posts once it joined).
func (r *roster) pastCutoff(p string, seq uint64) bool {
	if r == nil {
		return false
	}
	for _, gap := range r.gaps[p] {
		if seq > gap[0] && seq < gap[1] {
			return true // posted while out, before coming back
		}
	}
	c, ok := r.cutoff(p)
	return ok && seq > c && !r.invited[p]
}

// canManage reports whether p may add and remove members.
func (r *roster) canManage(p string) bool {
	x, ok := r.role(p)
	return ok && (x == hcrypto.RoleOwner || x == hcrypto.RoleAdmin)
}

// maxReplayPasses bounds the passes that leave out operations above their
// author's cutoff (each pass can only add cutoffs the previous one found).
const maxReplayPasses = 4

// replay orders and applies a room's operations.
func replay(room string, g genesis, ops []logOp) *roster {
	byHash := make(map[hcrypto.OpHash]*logOp, len(ops))
	for i := range ops {
		if _, dup := byHash[ops[i].hash]; !dup {
			byHash[ops[i].hash] = &ops[i]
		}
	}
	// The creation, when the room was made from its creator's key: the
	// first by id should its creator have signed two.
	var root *logOp
	for _, o := range byHash {
		if o.op.Kind == hcrypto.BodyCreate && createsRoom(room, o) && (root == nil || o.id < root.id ||
			o.id == root.id && bytes.Compare(o.hash[:], root.hash[:]) < 0) {
			root = o
		}
	}
	var r *roster
	excluded := map[hcrypto.OpHash]bool{}
	for range maxReplayPasses {
		order, anc := topoOrder(byHash, excluded, root)
		r = apply(room, g, order, anc)
		next := map[hcrypto.OpHash]bool{}
		for h, o := range byHash {
			if r.pastCutoff(o.author, o.seq) {
				next[h] = true
			}
		}
		if maps.Equal(next, excluded) {
			break
		}
		excluded = next
	}
	return r
}

// opHeap orders the operations ready to be placed by envelope id.
type opHeap []*logOp

func (h opHeap) Len() int { return len(h) }
func (h opHeap) Less(i, j int) bool {
	return cmp.Or(cmp.Compare(h[i].id, h[j].id), bytes.Compare(h[i].hash[:], h[j].hash[:])) < 0
}
func (h opHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *opHeap) Push(x any)   { *h = append(*h, x.(*logOp)) }
func (h *opHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topoOrder places every operation whose ancestors are all held and not
// excluded; anc[i] is the set of positions of order[i]'s ancestors.
func topoOrder(byHash map[hcrypto.OpHash]*logOp, excluded map[hcrypto.OpHash]bool, root *logOp) ([]*logOp, []bitset) {
	parents := func(o *logOp) []hcrypto.OpHash {
		if len(o.op.Parents) == 0 && root != nil && o != root {
			return []hcrypto.OpHash{root.hash} // named nothing: comes after the creation
		}
		return o.op.Parents
	}
	waiting := map[hcrypto.OpHash]int{}
	children := map[hcrypto.OpHash][]*logOp{}
	ready := &opHeap{}
	for h, o := range byHash {
		if excluded[h] {
			continue
		}
		n := 0
		for _, p := range parents(o) {
			if _, ok := byHash[p]; ok && !excluded[p] {
				children[p] = append(children[p], o)
				n++
			} else {
				n = -1 << 30 // a parent never placed: neither is this one
			}
		}
		if n == 0 {
			heap.Push(ready, o)
		} else if n > 0 {
			waiting[h] = n
		}
	}
	pos := map[hcrypto.OpHash]int{}
	var order []*logOp
	var anc []bitset
	for ready.Len() > 0 {
		o := heap.Pop(ready).(*logOp)
		i := len(order)
		pos[o.hash] = i
		order = append(order, o)
		var a bitset
		for _, p := range parents(o) {
			pi := pos[p]
			a = a.union(anc[pi])
			a = a.with(pi)
		}
		anc = append(anc, a)
		for _, c := range children[o.hash] {
			if waiting[c.hash]--; waiting[c.hash] == 0 {
				heap.Push(ready, c)
			}
		}
	}
	return order, anc
}

// apply runs ordered operations from the room's start.
func apply(room string, g genesis, order []*logOp, anc []bitset) *roster {
	r := &roster{roles: map[string]hcrypto.Role{}, invited: map[string]bool{}, expires: map[string]int64{}, cutoffs: map[string]uint64{},
		names: map[string]string{}, gaps: map[string][][2]uint64{}, codeBy: map[string]bool{}, refused: map[hcrypto.OpHash]string{}, accepted: map[hcrypto.OpHash]bool{},
		acks: map[string][32]byte{}, passes: map[hcrypto.PassKey]*pass{}}
	for _, o := range order {
		if o.op.Kind == hcrypto.BodyCreate && createsRoom(room, o) {
			r.owned = true
			break
		}
	}
	if !r.owned {
		for i, p := range g.members {
			r.roles[p] = hcrypto.RoleMember
			if i < len(g.names) {
				r.names[p] = g.names[i]
			}
		}
		if g.owner != "" {
			if _, in := r.roles[g.owner]; in {
				r.roles[g.owner] = hcrypto.RoleOwner
				r.owner = g.owner
			}
		}
	}
	invitedAt := map[string]int{}   // position of the accepted add of each invited peer
	removedAt := map[string][]int{} // positions of the accepted removals of each peer
	byKey := map[string]*logOp{}    // the accepted joins that no add backs, by author
	byKeyAt := map[string]int{}     // and their positions
	var codes []int                 // positions of accepted code authorisations
	isAnc := func(i int, list []int) bool {
		for _, x := range list {
			if !anc[i].has(x) {
				return false
			}
		}
		return true
	}
	for i, o := range order {
		why := r.check(room, g.workspace, o, i, anc, invitedAt, removedAt, codes, isAnc)
		if why != "" {
			r.refused[o.hash] = why
			continue
		}
		r.accepted[o.hash] = true
		target := targetID(o.op.Target)
		switch o.op.Kind {
		case hcrypto.BodyCreate:
			r.roles[o.author] = hcrypto.RoleOwner
			r.owner = o.author
			r.names[o.author] = o.name
		case hcrypto.BodyAdd:
			if target == "" && len(o.op.Payload) > 0 {
				terms, _ := hcrypto.ParsePassTerms(o.op.Payload) // check parsed it
				r.passes[terms.Key] = &pass{terms: terms, hash: o.hash, pos: i, by: o.author}
			} else if target == "" {
				codes = append(codes, i)
				r.codeBy[o.author] = true
			} else {
				r.invited[target] = true
				delete(r.expires, target)
				if st, err := hcrypto.ParseStatement(o.op.Payload); err == nil && len(o.op.Payload) > 0 && st.Expires > 0 {
					r.expires[target] = st.Expires
				}
				invitedAt[target] = i
			}
		case hcrypto.BodyJoin:
			if proof, err := hcrypto.ParsePassProof(o.op.Payload); err == nil {
				p := r.passes[proof.Key] // check found it
				p.used = append(p.used, o.author)
				delete(byKey, o.author)
			} else if at, ok := invitedAt[o.author]; ok && anc[i].has(at) {
				delete(byKey, o.author)
			} else {
				byKey[o.author], byKeyAt[o.author] = o, i
			}
			r.roles[o.author] = hcrypto.RoleMember
			r.names[o.author] = o.name
			delete(r.invited, o.author)
			if c, ok := r.cutoffs[o.author]; ok {
				r.gaps[o.author] = append(r.gaps[o.author], [2]uint64{c, o.seq})
				delete(r.cutoffs, o.author)
			}
		case hcrypto.BodyLeave:
			delete(r.roles, o.author)
			r.cutoffs[o.author] = o.seq
			if r.owner == o.author {
				r.owner = ""
			}
			r.cuts = append(r.cuts, cutEvent{hash: o.hash, peer: o.author, actor: o.author, leave: true})
		case hcrypto.BodyRemove:
			if isPassKey(o.op.Target) {
				r.passes[hcrypto.PassKey(o.op.Target)].closed = true
				continue
			}
			if _, was := r.roles[target]; was {
				r.cutoffs[target] = o.op.Cutoff
				r.cuts = append(r.cuts, cutEvent{hash: o.hash, peer: target, actor: o.author})
			}
			delete(r.roles, target)
			delete(r.invited, target)
			delete(invitedAt, target)
			removedAt[target] = append(removedAt[target], i)
		case hcrypto.BodyRole:
			r.roles[target] = o.op.Role
		case hcrypto.BodyPolicy:
			doc, _ := policy.Parse(o.op.Payload) // check parsed it
			v := policyVersion{doc: doc, hash: o.hash, id: o.id, author: o.author, name: r.names[o.author], pos: i}
			if doc.AdmitsByAdmins() && (r.policy == nil || !r.policy.doc.AdmitsByAdmins()) {
				r.admitByAdmins(i, anc, byKey, byKeyAt)
			}
			r.policy = &v
			r.policies = append(r.policies, v)
		case hcrypto.BodyAck:
			r.acks[o.author] = [32]byte(o.op.Payload)
		}
	}
	named := map[hcrypto.OpHash]bool{}
	for _, o := range order {
		for _, p := range o.op.Parents {
			named[p] = true
		}
	}
	for _, o := range order {
		if !named[o.hash] {
			r.heads = append(r.heads, o.hash)
		}
	}
	slices.SortFunc(r.heads, func(a, b hcrypto.OpHash) int { return bytes.Compare(a[:], b[:]) })
	if len(r.heads) > hcrypto.MaxOpParents {
		r.heads = r.heads[len(r.heads)-hcrypto.MaxOpParents:]
		r.headsLeft = true
	}
	return r
}

// check is why operation o, at position i of the order, is refused, or ""
// when its actor had the right.
func (r *roster) check(room string, workspace bool, o *logOp, i int, anc []bitset, invitedAt map[string]int,
	removedAt map[string][]int, codes []int, isAnc func(int, []int) bool) string {
	actor, member := r.roles[o.author]
	manager := member && (actor == hcrypto.RoleOwner || actor == hcrypto.RoleAdmin)
	target := targetID(o.op.Target)
	_, targetIn := r.roles[target]
	switch o.op.Kind {
	case hcrypto.BodyCreate:
		switch {
		case !createsRoom(room, o):
			return "the room id was not made from the creator's key"
		case r.owner != "" || len(r.roles) > 0:
			return "the room was created already"
		}
	case hcrypto.BodyAdd:
		switch {
		case !manager:
			return "only the owner or an admin may add members"
		case target == "" && len(o.op.Payload) > 0:
			return r.checkOpenPass(workspace, o)
		case target != "" && targetIn:
			return "already a member"
		case target != "" && !isAnc(i, removedAt[target]):
			return "concurrent with a removal of the same person"
		}
	case hcrypto.BodyJoin:
		at, invited := invitedAt[o.author]
		added := invited && anc[i].has(at)
		if len(o.op.Payload) > 0 {
			if why := r.checkEntry(room, workspace, o, i, anc); why != "" {
				return why
			}
			added = true // an admin's pass stands for its add
		}
		// A join naming no parents came in by today's room code, which is
		// the room key itself: it follows the creation (topoOrder).
		backed := added || len(o.op.Parents) == 0 || !r.owned
		for _, c := range codes {
			backed = backed || anc[i].has(c)
		}
		switch {
		case member:
			return "already a member"
		case workspace && r.policy != nil && r.policy.doc.AdmitsByAdmins() && !added:
			return "the workspace admits members by an admin's admission or pass, and neither precedes this join"
		case !backed:
			return "no invitation or code of an owner or admin precedes it"
		case !isAnc(i, removedAt[o.author]):
			return "concurrent with a removal of the same person"
		}
	case hcrypto.BodyLeave:
		if !member {
			return "not a member"
		}
	case hcrypto.BodyRemove:
		if isPassKey(o.op.Target) {
			return r.checkClosePass(workspace, manager, o)
		}
		switch {
		case !manager:
			return "only the owner or an admin may remove members"
		case target == o.author:
			return "a member leaves rather than removes themselves"
		case target == r.owner:
			return "nobody can remove the owner"
		case !targetIn && !r.invited[target]:
			return "not a member"
		}
	case hcrypto.BodyRole:
		switch {
		case workspace && !manager:
			return "only an admin may name or remove admins"
		case !workspace && (!member || actor != hcrypto.RoleOwner):
			return "only the owner may change roles"
		case target == o.author:
			return "nobody changes their own role"
		case target == r.owner:
			return "the owner keeps their role"
		case !targetIn:
			return "not a member"
		}
	case hcrypto.BodyPolicy:
		return r.checkPolicy(workspace, manager, o, i, anc)
	case hcrypto.BodyAck:
		switch {
		case !workspace:
			return "an acknowledgement belongs to the workspace room"
		case !member:
			return "not a member"
		}
	default:
		return "not a membership operation"
	}
	return ""
}

// createsRoom reports whether o's author made the room id from o's seed.
func createsRoom(room string, o *logOp) bool {
	id, err := peer.Decode(o.author)
	return err == nil && hcrypto.OwnedRoomID([]byte(id), o.op.Target) == room
}

// targetID is the peer id string of an operation's target, "" for none.
func targetID(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	id, err := peer.IDFromBytes(b)
	if err != nil {
		return "!" + string(b) // never a member's id
	}
	return id.String()
}

// bitset is a set of small non-negative integers.
type bitset []uint64

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }

func (b bitset) with(i int) bitset {
	for len(b) <= i/64 {
		b = append(b, 0)
	}
	b[i/64] |= 1 << (i % 64)
	return b
}

func (b bitset) union(o bitset) bitset {
	out := make(bitset, max(len(b), len(o)))
	copy(out, b)
	for i, w := range o {
		out[i] |= w
	}
	return out
}
