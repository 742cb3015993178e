package rooms

import (
	"bytes"
	"slices"

	hcrypto "hallway/crypto"
	"hallway/policy"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Applying a room's membership operations in the replay's order
// (memberlog.go): who had the right to each, and what it changed.

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
				r.passes[terms.Key] = &pass{terms: terms, hash: o.hash, pos: i, by: o.author, seq: o.seq}
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
			return r.checkOpenPass(room, workspace, o)
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
