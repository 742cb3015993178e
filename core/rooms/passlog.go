package rooms

import (
	"fmt"
	"time"

	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Workspace passes in the workspace room's log (crypto/pass.go): an
// admin's add that names nobody and carries a pass's terms opens the
// pass; a join carrying a proof of it enters by it; an admin's removal
// naming the pass's key closes it. The replay checks each entry against
// the terms and counts entries in the log's order, so every member lets
// in the same colleagues by a pass, and refuses the same ones when more
// tried at once than it allows:
//
//   - the pass must be among the join's ancestors, opened by an admin of
//     the workspace room, not closed before the join in the order, and
//     its admin still an admin (a pass dies with its admin's rights);
//   - the proof must be the pass key's signature of the room, the join's
//     author and a time no later than the pass's expiry (the time is the
//     newcomer's claim: the member that let it in checked it against its
//     own clock, see ServeEnter);
//   - entries beyond its uses are refused.

// pass is a pass the log opened.
type pass struct {
	terms  hcrypto.PassTerms
	hash   hcrypto.OpHash
	pos    int
	by     string // the admin who opened it
	seq    uint64 // of its opening among the admin's envelopes
	used   []string
	closed bool
}

// passState is whether a pass still lets newcomers in, or why not.
type passState int

const (
	passLive    passState = iota
	passClosed            // by an admin, or its admin is no longer one
	passUsedUp            // as many entered by it as it allows
	passExpired           // by the clock it was asked at
)

// passState is the state of p at now by this log. The replay's own check
// of an entry (checkEntry) goes by the time the entry claims instead, and
// names the reason in more words.
func (r *roster) passState(p *pass, now time.Time) passState {
	switch {
	case p.closed || !r.canManage(p.by):
		return passClosed
	case len(p.used) >= int(p.terms.Uses):
		return passUsedUp
	case now.UnixMilli() >= p.terms.Expires:
		return passExpired
	}
	return passLive
}

// passOpen reports whether the log holds a pass someone may still enter by.
func (r *roster) passOpen(now time.Time) bool {
	if r == nil {
		return false
	}
	for _, p := range r.passes {
		if r.passState(p, now) == passLive {
			return true
		}
	}
	return false
}

// checkOpenPass is why an add opening a pass is refused, or "". Terms
// from before terms were signed carry no signature; signed ones must be
// signed by the pass's own key.
func (r *roster) checkOpenPass(room string, workspace bool, o *logOp) string {
	terms, err := hcrypto.ParsePassTerms(o.op.Payload)
	switch {
	case err != nil:
		return err.Error()
	case !workspace:
		return "a pass belongs to the workspace room"
	case terms.Sig != [len(terms.Sig)]byte{} && !terms.VerifyOpening(room):
		return "the pass's terms are not signed by its key"
	case r.passes[terms.Key] != nil:
		return "a pass with this key is open already"
	}
	return ""
}

// checkEntry is why a join carrying a pass's proof is refused, or "".
func (r *roster) checkEntry(room string, workspace bool, o *logOp, i int, anc []bitset) string {
	proof, err := hcrypto.ParsePassProof(o.op.Payload)
	if err != nil {
		return err.Error()
	}
	p := r.passes[proof.Key]
	author, err := peer.Decode(o.author)
	switch {
	case !workspace:
		return "a pass belongs to the workspace room"
	case err != nil:
		return "the author is not a peer id"
	case p == nil || !anc[i].has(p.pos):
		return "no pass of an admin with this key precedes it"
	case p.closed:
		return "the pass was closed"
	case !r.canManage(p.by):
		return "the admin who opened the pass is no longer one"
	case len(p.used) >= int(p.terms.Uses):
		return fmt.Sprintf("the pass was used up (%d of %d)", len(p.used), p.terms.Uses)
	case proof.At > p.terms.Expires:
		return "the pass had expired"
	case !proof.Verify(room, []byte(author)):
		return "the proof of the pass does not check"
	}
	return ""
}

// checkClosePass is why a removal naming a pass's key is refused, or "".
func (r *roster) checkClosePass(workspace, manager bool, o *logOp) string {
	p := r.passes[hcrypto.PassKey(o.op.Target)]
	switch {
	case !workspace:
		return "a pass belongs to the workspace room"
	case !manager:
		return "only an admin may close a pass"
	case p == nil:
		return "no such pass"
	case p.closed:
		return "the pass is closed already"
	}
	return ""
}

// isPassKey reports whether an operation's target names a pass (a key of
// its size; a peer id is longer).
func isPassKey(target []byte) bool { return len(target) == len(hcrypto.PassKey{}) }
