package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
	"hallway/p2p"
)

// codeRecords counts the code records d's history of ref holds.
func codeRecords(d *fleet.Daemon, ref string) int {
	n := 0
	for _, m := range d.History(ref) {
		if m.Kind == string(chat.KindCodeIssued) || m.Kind == string(chat.KindCodeRevoked) {
			n++
		}
	}
	return n
}

// TestRoomCodes: real daemons on namespace hosts. Ann issues codes for
// #proj (she and Bob are members): one that expires in two seconds, one
// she revokes, one of another room of hers, and a good one for one use.
// A modified peer (internal/adversary) redeems the bad ones at Ann and Bob
// and gets nothing: no room, no key. Cat's Hallway refuses them with a
// clear word. Then Ann goes offline, and Cat joins with the good code at
// Bob's node, posts, and Bob reads it; Dan, with the same code, is told
// it has been used up.
func TestRoomCodes(t *testing.T) {
	lab := netlab.New(t, 5)
	ds := fleet.Office(t, lab, []string{"Ann", "Bob", "Cat", "Dan"})
	ann, bob, cat, dan := ds[0], ds[1], ds[2], ds[3]
	fleet.Room(t, ds[:2], "proj")
	ann.CLI("room", "create", "other")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var lastExpiry time.Time
	issue := func(room string, expires time.Duration, uses int) hcrypto.RoomCode {
		t.Helper()
		rc, err := ann.Client().IssueRoomCode(ctx, room, expires, uses)
		if err != nil {
			t.Fatal(err)
		}
		c, err := hcrypto.ParseRoomCode(rc.Code)
		if err != nil {
			t.Fatal(err)
		}
		lastExpiry = rc.ExpiresAt
		return c
	}
	text := func(c hcrypto.RoomCode) string {
		s, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	expired := issue("#proj", 2*time.Second, 0)
	expiry := lastExpiry
	revoked := issue("#proj", 0, 0)
	ann.CLI("room", "invite-code", "#proj", "--revoke", text(revoked))
	elsewhere := issue("#other", 0, 0)
	swapped := elsewhere
	swapped.Room = expired.Room // the other room's token, named as #proj's
	good := issue("#proj", 0, 1)
	bob.WaitFor("Ann's code records", 20*time.Second, func() bool { return codeRecords(bob, "#proj") == 4 })
	// The short code's two seconds are over by now, or are waited out once.
	<-time.After(time.Until(expiry) + 100*time.Millisecond)

	h := lab.Host(5)
	adv, err := adversary.New(adversary.Config{NS: h, IP: h.IP})
	if err != nil {
		t.Fatal(err)
	}
	defer adv.Close()
	adv.SinkProfiles()
	for _, d := range []*fleet.Daemon{ann, bob} {
		id, err := adv.Connect(ctx, d.Self().Addrs[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			code hcrypto.RoomCode
			want p2p.RedeemStatus
		}{
			{"an expired code", expired, p2p.RedeemExpired},
			{"a revoked code", revoked, p2p.RedeemRevoked},
			{"a code of another room", swapped, p2p.RedeemUnknown},
		} {
			rep, err := adv.Redeem(ctx, id, tc.code)
			if err != nil {
				t.Fatalf("%s at %s: %v", tc.name, d.Name, err)
			}
			if rep.Status != tc.want || rep.Room != "" || rep.Name != "" || rep.Key != [32]byte{} {
				t.Errorf("%s at %s: status %d, room %q, key given: %v; want status %d and nothing",
					tc.name, d.Name, rep.Status, rep.Room, rep.Key != [32]byte{}, tc.want)
			}
			// With what it got (no key), sync gives it no message either.
			if envs, err := adv.AskHistory(ctx, id, tc.code.Room, hcrypto.RoomKey(rep.Key)); err != nil || len(envs) != 0 {
				t.Errorf("%s at %s: sync answered %d envelopes, %v", tc.name, d.Name, len(envs), err)
			}
		}
	}
	for _, tc := range []struct{ name, code, want string }{
		{"an expired code", text(expired), "this code has expired"},
		{"a revoked code", text(revoked), "this code was revoked"},
		{"a code of another room", text(swapped), "no member of this room that could be reached knows this code"},
		{"an old code", "HWR1-0446P-RBM5N-S6YVV-D151P-2SP3N-4GE56", "ask a member of the room for a new code"},
	} {
		_, err := cat.CLIErr("room", "join", tc.code)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Cat joining with %s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, ok := roomIDsByName(t, cat)["proj"]; ok {
		t.Fatal("a refused code joined Cat to #proj")
	}

	// The issuer goes offline; Bob's node redeems the good code.
	annID := ann.ID()
	ann.Stop()
	bob.WaitFor("Ann offline", 30*time.Second, func() bool { return !bob.Online(annID) })
	out := cat.CLI("room", "join", text(good), "--json")
	if r := fleet.Decode[chat.Room](t, out); r.ID != good.Room {
		t.Fatalf("Cat joined %+v, want #proj", r)
	}
	cat.CLI("room", "send", "#proj", "hello from Cat")
	holds(bob, "#proj", "hello from Cat")
	if _, err := dan.CLIErr("room", "join", text(good)); err == nil || !strings.Contains(err.Error(), "used up") {
		t.Errorf("Dan joining with a used code: %v", err)
	}
	bob.WaitFor("Cat a member", 20*time.Second, func() bool { return bob.Members("#proj") == 3 })
	joins := 0
	for _, m := range bob.History("#proj") {
		if m.Kind == string(chat.KindJoin) && m.Text == "joined with a room code" {
			joins++
		}
	}
	if joins != 1 {
		t.Errorf("Bob shows %d joins by code, want Cat's", joins)
	}
	if slices.ContainsFunc(bob.History("#proj"), func(m chat.Message) bool { return m.From == adv.ID().String() }) {
		t.Error("the adversary has a message in #proj")
	}
}
