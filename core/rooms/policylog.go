package rooms

import (
	"fmt"

	hcrypto "hallway/crypto"
	"hallway/policy"
)

// The workspace policy in the workspace room's log (memberlog.go: who may
// set one, which version is kept).

// policyVersion is an accepted workspace policy and who set it.
type policyVersion struct {
	doc    policy.Document
	hash   hcrypto.OpHash
	id     string // the envelope id
	author string
	name   string
	pos    int // in the replay's order
}

// currentPolicy is the policy in force; nil before the first.
func (r *roster) currentPolicy() *policyVersion {
	if r == nil {
		return nil
	}
	return r.policy
}

// checkPolicy is why a policy operation is refused, or "".
func (r *roster) checkPolicy(workspace, manager bool, o *logOp, i int, anc []bitset) string {
	if !workspace {
		return "a policy belongs to the workspace room"
	}
	if !manager {
		return "only an admin may set the workspace policy"
	}
	doc, err := policy.Parse(o.op.Payload)
	if err != nil {
		return err.Error()
	}
	cur := r.policy
	switch {
	case cur == nil || doc.Version > cur.doc.Version:
		return ""
	case doc.Version < cur.doc.Version:
		return fmt.Sprintf("version %d is older than version %d in force", doc.Version, cur.doc.Version)
	case anc[i].has(cur.pos):
		return fmt.Sprintf("version %d is in force already", doc.Version)
	case !policy.Newer(doc.Version, o.hash[:], cur.doc.Version, cur.hash[:]):
		return fmt.Sprintf("another admin's version %d, set at the same time, prevails", doc.Version)
	}
	return ""
}

// admitByAdmins applies a policy, at position i, that admits members by
// admins from now on: a member who came in by the key alone stays only if
// the admin who set it had seen its join (an ancestor of the policy); a
// join concurrent with it is refused after all, as it would have been
// after it. A parentless join is ordered right after the creation
// whenever it was made (topoOrder), so its place in the order says
// nothing of when it came: only the policy's ancestry does.
func (r *roster) admitByAdmins(i int, anc []bitset, byKey map[string]*logOp, byKeyAt map[string]int) {
	for p, join := range byKey {
		if anc[i].has(byKeyAt[p]) {
			continue
		}
		if role, in := r.roles[p]; in && role == hcrypto.RoleMember {
			delete(r.roles, p)
			delete(r.accepted, join.hash)
			r.refused[join.hash] = "the workspace admits members by an admin's admission, and the admin who set it had not seen this join"
		}
		delete(byKey, p)
	}
}
