package rooms

import (
	"bytes"
	"maps"

	hcrypto "hallway/crypto"
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
