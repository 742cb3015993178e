package rooms

import (
	"errors"
	"fmt"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A newcomer holds no log yet, so it cannot tell a member from anyone else
// holding the workspace key (a stranger given an old code, a colleague
// revoked): either could answer the enter protocol, hand over keys of its
// own and take the newcomer's join, which no member would then read. So a
// member shows the log's operation that opened the pass: an envelope of
// the workspace room, sealed under one of the keys it hands over, whose
// terms the pass's own key signed (crypto.PassTerms.Sign). Only the admin
// who made the pass could sign them, and only a node that could read the
// log when the pass was opened holds that envelope.

// errNoOpening: a member's answer did not show the pass's opening.
var errNoOpening = errors.New("that colleague could not show the pass in the workspace's log")

// checkOpening checks the opening a member's answer to our proof shows,
// against the pass we hold and the keys the answer hands over.
func checkOpening(j *Joined, pass hcrypto.PassCode, rep p2p.EnterReply) error {
	if len(rep.Opening) == 0 {
		return fmt.Errorf("%w: it sent none", errNoOpening)
	}
	env, err := hcrypto.UnmarshalEnvelope(rep.Opening)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoOpening, err)
	}
	if env.Room != j.id {
		return fmt.Errorf("%w: an envelope of another room", errNoOpening)
	}
	author, err := peer.IDFromBytes(env.Author)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoOpening, err)
	}
	if err := verifyBy(env, author); err != nil {
		return fmt.Errorf("%w: %v", errNoOpening, err)
	}
	keys := j.keysOf(env.Epoch)
	for _, k := range rep.Epochs {
		if k.Epoch == env.Epoch {
			keys = append(keys, hcrypto.RoomKey(k.Key))
		}
	}
	plain, err := openWithKeys(env, keys)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoOpening, err)
	}
	body, err := hcrypto.UnmarshalRoomBody(plain)
	if err != nil || body.Kind != hcrypto.BodyAdd {
		return fmt.Errorf("%w: not an add", errNoOpening)
	}
	op, err := hcrypto.UnmarshalMemberOp(body.Kind, []byte(body.Text))
	if err != nil || len(op.Target) != 0 {
		return fmt.Errorf("%w: not the opening of a pass", errNoOpening)
	}
	terms, err := hcrypto.ParsePassTerms(op.Payload)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %v", errNoOpening, err)
	case terms.Key != pass.PassKey():
		return fmt.Errorf("%w: the opening of another pass", errNoOpening)
	case !terms.VerifyOpening(j.id):
		return fmt.Errorf("%w: its terms are not signed by the pass's key", errNoOpening)
	}
	return nil
}
