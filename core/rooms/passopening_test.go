package rooms

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// hostileEnter is a modified node holding the workspace key but no place
// in the log (a stranger given an old code, a revoked colleague): it
// answers the enter protocol as it likes and takes any join.
type hostileEnter struct {
	*Manager // serves the rest as a stranger's node would
	reply    func(req p2p.EnterRequest) p2p.EnterReply
	joins    int
}

func (h *hostileEnter) ServeEnter(_ context.Context, _ peer.ID, req p2p.EnterRequest) p2p.EnterReply {
	return h.reply(req)
}

func (h *hostileEnter) ServeEntry(context.Context, peer.ID, []byte) (p2p.EnterStatus, string) {
	h.joins++
	return p2p.EnterOK, ""
}

// A newcomer takes nothing from a node that cannot show the log's opening
// of its pass: no keys, no heads, and it sends no join; its pass then
// lets it in at a member as if nothing happened.
func TestEntryNeedsThePassesOpening(t *testing.T) {
	ctx := context.Background()
	room, members, code := passWorkspace(t, 1)
	bob := members[0]
	mal := newcomer(t, bob, room, "Mal")
	dan := newcomer(t, bob, room, "Dan")
	fakeKey := hcrypto.RoomKey{7}
	madeUp := func(req p2p.EnterRequest, signer ed25519.PrivateKey) []byte {
		proof, err := hcrypto.ParsePassProof(req.Proof)
		if err != nil {
			t.Fatal(err)
		}
		// The pass's public key is in the proof: terms naming it are
		// easy to write, not to sign.
		terms := hcrypto.PassTerms{Key: proof.Key, Uses: 9, Expires: time.Now().Add(time.Hour).UnixMilli()}
		if signer != nil {
			terms.Sign(signer, room)
		}
		op := hcrypto.MemberOp{Kind: hcrypto.BodyAdd, Payload: terms.Marshal()}
		body := hcrypto.RoomBody{Kind: hcrypto.BodyAdd, Text: string(op.Marshal()), Name: "Ann", SentAt: time.Now().UnixMilli()}
		env, err := hcrypto.SealEnvelope(fakeKey, 5, mal.key, room, []byte(mal.id), 1, 1, body.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		return env.Marshal()
	}
	_, stranger, _ := ed25519.GenerateKey(nil)
	if _, err := bob.Send(ctx, "#general", "a member's genuine post"); err != nil {
		t.Fatal(err)
	}
	genuine := bob.lastGossip(bob.general().id)
	for name, opening := range map[string]func(p2p.EnterRequest) []byte{
		"no opening":                func(p2p.EnterRequest) []byte { return nil },
		"not an envelope":           func(p2p.EnterRequest) []byte { return []byte("opened, trust me") },
		"unsigned terms":            func(r p2p.EnterRequest) []byte { return madeUp(r, nil) },
		"terms signed by another":   func(r p2p.EnterRequest) []byte { return madeUp(r, stranger) },
		"a member's post elsewhere": func(p2p.EnterRequest) []byte { return genuine },
	} {
		h := &hostileEnter{Manager: mal.Manager, reply: func(req p2p.EnterRequest) p2p.EnterReply {
			return p2p.EnterReply{Status: p2p.EnterOK, Epochs: []p2p.RedeemEpoch{{Epoch: 5, Key: fakeKey}},
				Heads: [][32]byte{{1}}, Opening: opening(req)}
		}}
		dan.net.mu.Lock()
		dan.net.redeemers[mal.id] = h
		dan.net.mu.Unlock()
		err := dan.Enter(ctx, mal.id, code)
		if !errors.Is(err, ErrEnterRefused) || !errors.Is(err, errNoOpening) {
			t.Fatalf("%s: entering at a stranger: %v", name, err)
		}
		if h.joins != 0 {
			t.Fatalf("%s: the newcomer sent the stranger its join", name)
		}
		if dan.epoch(room) != 0 {
			t.Fatalf("%s: the newcomer took the stranger's key (epoch %d)", name, dan.epoch(room))
		}
	}
	if err := dan.Enter(ctx, bob.id, code); err != nil {
		t.Fatalf("entering at a member after the stranger: %v", err)
	}
	if !bob.Admits(dan.id) {
		t.Fatal("the member does not count the newcomer in")
	}
}

// A pass opened many re-keys ago still lets a newcomer in: the member's
// answer carries the key of the epoch the pass was opened under, beside
// the newest ones, so the newcomer can check the opening.
func TestEntryAfterManyRekeys(t *testing.T) {
	ctx := context.Background()
	room, nodes := admittingByAdmins(t, "Ann", "Bob")
	ann, bob := nodes[0], nodes[1]
	if err := ann.Rekey(ctx, room, nil); err != nil {
		t.Fatal(err)
	}
	_, code := openPass(t, ann, PassOptions{})
	for range p2p.MaxRedeemEpochs + 2 {
		if err := ann.Rekey(ctx, room, nil); err != nil {
			t.Fatal(err)
		}
	}
	handOver(t, ann, ann.sentKeys(), bob)
	meshed(t, room, ann, bob)
	if got, want := bob.epoch(room), uint64(p2p.MaxRedeemEpochs+3); got != want {
		t.Fatalf("Bob at epoch %d, want %d", got, want)
	}
	dan := newcomer(t, bob, room, "Dan")
	if err := dan.Enter(ctx, bob.id, code); err != nil {
		t.Fatalf("entering by a pass opened %d re-keys ago: %v", p2p.MaxRedeemEpochs+2, err)
	}
	if !bob.Admits(dan.id) {
		t.Fatal("Bob does not count Dan in")
	}
}
