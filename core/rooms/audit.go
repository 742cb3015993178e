package rooms

import (
	"maps"
	"slices"

	hcrypto "hallway/crypto"
)

// AuditOp is one operation of a room's membership log as an export holds
// it: its signed envelope's hash, id, author and seq, and the operation
// the envelope's body carries.
type AuditOp struct {
	Hash   hcrypto.OpHash
	ID     string
	Author string // peer id
	Seq    uint64
	Op     hcrypto.MemberOp
	Name   string // the display name the author signed
}

// Audit is what a replay of a room's log, by the rules every member
// applies (memberlog.go), found.
type Audit struct {
	// Owned: the log holds the room's creation, signed by the key the room
	// id was made from. A log without it is not replayed (a room from
	// before operations starts from stored members no export holds, or
	// the export does not reach back to the creation).
	Owned bool
	// Refused names each refused operation's reason.
	Refused map[hcrypto.OpHash]string
	// Roles are the members the log leaves, peer id → "owner", "admin"
	// or "member".
	Roles map[string]string
	// Removed lists, sorted, whom the log removed and who left.
	Removed []string
	// Policy is the workspace policy version in force (workspace room).
	Policy uint64
}

// AuditLog replays ops as every member does: the same order, the same
// rights checked against the state before each operation. workspace
// applies the workspace room's rules (admins name admins and set the
// policy). It is what `verify-export` asks of a room's log, with nothing
// but the export.
func AuditLog(room string, workspace bool, ops []AuditOp) Audit {
	logOps := make([]logOp, len(ops))
	for i, o := range ops {
		logOps[i] = logOp{hash: o.Hash, id: o.ID, author: o.Author, seq: o.Seq, op: o.Op, name: o.Name}
	}
	if !ownedRoom(room, logOps) {
		return Audit{}
	}
	r := replay(room, genesis{workspace: workspace}, logOps)
	a := Audit{Owned: true, Refused: maps.Clone(r.refused), Roles: make(map[string]string, len(r.roles))}
	if a.Refused == nil {
		a.Refused = map[hcrypto.OpHash]string{}
	}
	for p, role := range r.roles {
		a.Roles[p] = role.String()
	}
	// What the replay left out is refused too, for one of two reasons.
	for _, o := range logOps {
		switch {
		case r.accepted[o.hash] || a.Refused[o.hash] != "":
		case r.pastCutoff(o.author, o.seq):
			a.Refused[o.hash] = "signed after its author was removed or left"
		default:
			a.Refused[o.hash] = "it names earlier operations the export does not hold"
		}
	}
	for p := range r.cutoffs {
		if _, in := r.roles[p]; !in {
			a.Removed = append(a.Removed, p)
		}
	}
	slices.Sort(a.Removed)
	if v := r.currentPolicy(); v != nil {
		a.Policy = v.doc.Version
	}
	return a
}
