package rooms

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
)

// issue has n issue a code of ref and returns it.
func (n *testNode) issue(ref string, opt CodeOptions) hcrypto.RoomCode {
	n.t.Helper()
	rc, err := n.IssueCode(context.Background(), ref, opt)
	if err != nil {
		n.t.Fatal(err)
	}
	c, err := hcrypto.ParseRoomCode(rc.Code)
	if err != nil {
		n.t.Fatalf("issued code %q: %v", rc.Code, err)
	}
	return c
}

func encode(t *testing.T, c hcrypto.RoomCode) string {
	t.Helper()
	s, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// knows waits until n has the issue record of c.
func (n *testNode) knows(c hcrypto.RoomCode) {
	n.t.Helper()
	n.waitFor("the code's record", func() bool {
		_, ok, _ := n.store.RoomCodeByLookup(context.Background(), c.Room, c.Hash().Lookup(), "")
		return ok
	})
}

// A code carries no key; the issuer's node hands the room over, records
// the use, and the joiner's join names the code.
func TestCodeJoinsAtTheIssuer(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	connect(ann, bob)
	room := project(t, ann)
	rc, err := ann.IssueCode(context.Background(), "#project", CodeOptions{Expires: 2 * time.Hour, Uses: 3})
	if err != nil {
		t.Fatal(err)
	}
	if rc.Uses != 3 || rc.Room != room || time.Until(rc.ExpiresAt) > 2*time.Hour || time.Until(rc.ExpiresAt) < time.Hour {
		t.Fatalf("issued %+v", rc)
	}
	key := ann.Joined().Get(room).key
	if strings.Contains(rc.Code, string(key[:])) {
		t.Fatal("the code holds the key")
	}
	r, err := bob.JoinCode(context.Background(), rc.Code)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != room || bob.Joined().Get(room).key != key {
		t.Fatalf("joined %+v with another key", r)
	}
	c, _ := hcrypto.ParseRoomCode(rc.Code)
	if n := ann.store.usesOf(room, c.Hash()); n != 1 {
		t.Fatalf("uses at the issuer = %d, want 1", n)
	}
	// Bob's join says it was by code; Ann's history shows the record.
	e, ok := bob.store.entry(room, bob.id.String(), 1)
	if !ok || e.Op == nil {
		t.Fatalf("Bob's join %+v is no operation", e.Message)
	}
	if op, err := hcrypto.UnmarshalMemberOp(hcrypto.BodyJoin, e.Op.Op); err != nil {
		t.Fatal(err)
	} else if h, byCode := op.Code(); !byCode || h != c.Hash() {
		t.Fatalf("Bob's join %+v does not name the code", e.Message)
	}
	if got := codeText(e.Message.Kind, e.Message.Text); got != "joined with a room code" {
		t.Errorf("join shows as %q", got)
	}
}

// The issuer is away: another member's node, which holds the sealed
// record, redeems the code.
func TestCodeRedeemedAtAnotherMemberWhileTheIssuerIsOffline(t *testing.T) {
	ann, bob, cat := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat")
	connect(ann, bob)
	room := project(t, ann, bob)
	c := ann.issue("#project", CodeOptions{})
	if err := bob.net.topic(room).deliver(ann.id, ann.lastGossip(room)); err != nil {
		t.Fatal(err)
	}
	bob.Syncer().Request(ann.id, []string{room}) // and whatever gossip missed
	bob.knows(c)
	disconnect(ann, bob)
	dialable.Delete(ann.id)
	connect(bob, cat)
	if _, err := cat.JoinCode(context.Background(), encode(t, c)); err != nil {
		t.Fatal(err)
	}
	if cat.Joined().Get(room).key != ann.Joined().Get(room).key {
		t.Fatal("Cat joined under another key")
	}
	if got := cat.net.redeemAsked; len(got) != 1 || got[0] != bob.id {
		t.Errorf("Cat asked %v, want Bob (connected) before the issuer it is not connected to", got)
	}
}

func TestCodeExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ann, bob, cat := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat")
		connect(ann, bob)
		connect(ann, cat)
		project(t, ann)
		c := encode(t, ann.issue("#project", CodeOptions{Expires: time.Hour}))
		time.Sleep(59 * time.Minute)
		if _, err := bob.JoinCode(context.Background(), c); err != nil {
			t.Fatalf("before expiry: %v", err)
		}
		time.Sleep(2 * time.Minute)
		_, err := cat.JoinCode(context.Background(), c)
		var ue *chat.UserError
		if !errors.Is(err, ErrCodeExpired) || !errors.As(err, &ue) {
			t.Fatalf("after expiry: %v, want the user told it expired", err)
		}
		if cat.Joined().Len() != 1 {
			t.Fatal("an expired code joined a room")
		}
	})
}

func TestCodeUses(t *testing.T) {
	ann, bob, cat := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat")
	connect(ann, bob)
	connect(ann, cat)
	project(t, ann)
	c := ann.issue("#project", CodeOptions{Uses: 1})
	if _, err := bob.JoinCode(context.Background(), encode(t, c)); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.JoinCode(context.Background(), encode(t, c)); !errors.Is(err, ErrCodeUsedUp) {
		t.Fatalf("a second joiner: %v, want used up", err)
	}
	// Bob asking again (a join that failed after redeeming) is the same use.
	h := c.Hash()
	req := p2p.RedeemRequest{Room: c.Room, Lookup: h.Lookup(), Proof: h.Proof(c.Room, bob.id, ann.id)}
	if rep := ann.ServeRedeem(context.Background(), bob.id, req); rep.Status != p2p.RedeemOK {
		t.Fatalf("the same joiner again: %v", rep.Status)
	}
}

func TestCodeRevoked(t *testing.T) {
	ann, bob, cat, dan := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat"), newTestNode(t, "Dan")
	for _, n := range []*testNode{bob, cat, dan} {
		connect(ann, n)
	}
	project(t, ann)
	one, two := ann.issue("#project", CodeOptions{}), ann.issue("#project", CodeOptions{})
	if err := ann.RevokeCode(context.Background(), "#project", encode(t, one)); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.JoinCode(context.Background(), encode(t, one)); !errors.Is(err, ErrCodeRevoked) {
		t.Fatalf("a revoked code: %v", err)
	}
	if _, err := cat.JoinCode(context.Background(), encode(t, two)); err != nil {
		t.Fatalf("another code: %v", err)
	}
	if err := ann.RevokeCode(context.Background(), "#project", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := dan.JoinCode(context.Background(), encode(t, two)); !errors.Is(err, ErrCodeRevoked) {
		t.Fatalf("after revoking every code: %v", err)
	}
	// A code issued after "revoke all" works.
	if _, err := dan.JoinCode(context.Background(), encode(t, ann.issue("#project", CodeOptions{}))); err != nil {
		t.Fatalf("a code issued after revoking all: %v", err)
	}
	if bob.Joined().Len() != 1 {
		t.Fatal("a revoked code joined a room")
	}
}

// A token of one room named with another room's id, an old code, a code
// nobody reachable is a member for, and a proof made for another member
// all give nothing.
func TestCodeRefusals(t *testing.T) {
	ann, bob, cat := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat")
	connect(ann, bob)
	project(t, ann)
	other, err := ann.Create(context.Background(), "other")
	if err != nil {
		t.Fatal(err)
	}
	c := ann.issue("#project", CodeOptions{})
	swapped := c
	swapped.Room = other.ID
	if _, err := bob.JoinCode(context.Background(), encode(t, swapped)); !errors.Is(err, ErrCodeUnknown) {
		t.Fatalf("a token of another room: %v", err)
	}
	if _, err := bob.JoinCode(context.Background(), "HWR1-0446P-RBM5N-S6YVV-D151P-2SP3N"); !errors.Is(err, hcrypto.ErrOldRoomCode) {
		t.Fatalf("an old code: %v", err)
	}
	// Cat reaches only Bob, who is not in the room, and Ann is away.
	connect(bob, cat)
	dialable.Delete(ann.id)
	disconnect(ann, bob)
	if _, err := cat.JoinCode(context.Background(), encode(t, c)); !errors.Is(err, ErrCodeUnreachable) {
		t.Fatalf("no member reachable: %v", err)
	}
	// A proof Bob saw cannot be replayed at Ann, by Bob or as Cat's.
	h := c.Hash()
	seen := p2p.RedeemRequest{Room: c.Room, Lookup: h.Lookup(), Proof: h.Proof(c.Room, cat.id, bob.id)}
	for _, from := range []*testNode{bob, cat} {
		if rep := ann.ServeRedeem(context.Background(), from.id, seen); rep.Status != p2p.RedeemUnknown || rep.Room != "" {
			t.Errorf("a replayed proof from %s: %+v", from.id, rep)
		}
	}
	if bob.Joined().Len() != 1 || cat.Joined().Len() != 1 {
		t.Fatal("a refused code joined a room")
	}
}

func TestCodeOptionsChecked(t *testing.T) {
	ann := newTestNode(t, "Ann")
	project(t, ann)
	for _, opt := range []CodeOptions{{Expires: 31 * 24 * time.Hour}, {Expires: time.Millisecond}, {Uses: -1}, {Uses: hcrypto.MaxCodeUses + 1}} {
		var ue *chat.UserError
		if _, err := ann.IssueCode(context.Background(), "#project", opt); !errors.As(err, &ue) {
			t.Errorf("options %+v: %v", opt, err)
		}
	}
	if _, err := ann.IssueCode(context.Background(), "#general", CodeOptions{}); err == nil {
		t.Error("a code for #general")
	}
}

// A member's Hallway modified to seal a code record lasting beyond what a
// code may: every member ignores the record, so the code gives nothing.
func TestCodeRecordBeyondTheLongestLifetimeIgnored(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	connect(ann, bob)
	room := project(t, ann)
	tok, err := hcrypto.NewCodeToken()
	if err != nil {
		t.Fatal(err)
	}
	c := hcrypto.RoomCode{Room: room, Issuer: ann.id, Token: tok}
	rec := hcrypto.CodeIssued{Hash: c.Hash(), ExpiresAt: time.Now().Add(hcrypto.MaxCodeLifetime + time.Hour).UnixMilli()}
	if _, err := ann.poster.post(context.Background(), ann.Joined().Get(room), hcrypto.RoomBody{Kind: hcrypto.BodyCodeIssued, Text: rec.Text()}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.JoinCode(context.Background(), encode(t, c)); !errors.Is(err, ErrCodeUnknown) {
		t.Fatalf("a code whose record lasts too long: %v", err)
	}
}
