package e2e

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"

	"github.com/libp2p/go-libp2p/core/peer"
)

// roles is d's member list of ref, peer id → role.
func roles(t *testing.T, d *fleet.Daemon, ref string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range fleet.Decode[[]chat.RoomMember](t, d.CLI("room", "members", ref, "--json")) {
		out[m.PeerID] = m.Role
	}
	return out
}

// TestRoomRolesAndRemoval: real daemons on namespace hosts. Ann creates
// #alpha (owner) and invites Bob and Cat; she makes Bob an admin; a member
// running a modified Hallway (internal/adversary), in by the room code,
// forges a removal of Ann, a grant of admin to itself and a removal of
// Cat, each signed with its own real key: every member refuses all three.
// Bob removes Cat and the adversary; the adversary's posts after that are
// refused by every member; a plain member's removal attempt is a user
// error, and so is any removal in #general.
func TestRoomRolesAndRemoval(t *testing.T) {
	lab := netlab.New(t, 4)
	ds := fleet.Office(t, lab, []string{"Ann", "Bob", "Cat"})
	ann, bob, cat := ds[0], ds[1], ds[2]
	fleet.Room(t, ds, "alpha")
	ref := "#alpha"
	if got := roles(t, bob, ref); got[ann.ID()] != "owner" || got[bob.ID()] != "member" || got[cat.ID()] != "member" {
		t.Fatalf("roles after the invitations: %v", got)
	}
	if _, err := cat.CLIErr("room", "role", ref, bob.ID(), "admin"); err == nil {
		t.Fatal("a member changed a role")
	}
	ann.CLI("room", "role", ref, bob.ID(), "admin")
	for _, d := range ds {
		d.WaitFor("Bob an admin", 30*time.Second, func() bool { return roles(t, d, ref)[bob.ID()] == "admin" })
	}

	// The adversary joins with the room's key (no parents: as by a code), then forges.
	room, key := ann.RoomSecret(ref) // the room's key, which every member holds
	h := lab.Host(4)
	adv, err := adversary.New(adversary.Config{NS: h, IP: h.IP})
	if err != nil {
		t.Fatal(err)
	}
	defer adv.Close()
	adv.SinkProfiles()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var victims []peer.ID
	for _, d := range ds {
		id, err := adv.Connect(ctx, d.Self().Addrs[0])
		if err != nil {
			t.Fatal(err)
		}
		victims = append(victims, id)
	}
	if err := adv.Join(room, key); err != nil {
		t.Fatal(err)
	}
	if err := adv.WaitTopicPeers(ctx, room, victims...); err != nil {
		t.Fatal(err)
	}
	advID := adv.ID().String()
	post := func(seq uint64, op hcrypto.MemberOp) {
		t.Helper()
		env, err := adv.MemberOp(key, room, seq, op)
		if err != nil {
			t.Fatal(err)
		}
		if err := adv.Publish(ctx, room, env.Marshal()); err != nil {
			t.Fatal(err)
		}
	}
	post(1, hcrypto.MemberOp{Kind: hcrypto.BodyJoin})
	for _, d := range ds {
		d.WaitFor("the adversary a member", 30*time.Second, func() bool { return roles(t, d, ref)[advID] == "member" })
	}
	annID, _ := peer.Decode(ann.ID())
	catID, _ := peer.Decode(cat.ID())
	post(2, adversary.Remove(annID, 1))
	post(3, adversary.Grant(adv.ID(), hcrypto.RoleAdmin))
	post(4, adversary.Remove(catID, 1))
	want := map[string]string{ann.ID(): "owner", bob.ID(): "admin", cat.ID(): "member", advID: "member"}
	for _, d := range ds {
		d.WaitFor("the forged operations", 30*time.Second, func() bool {
			n := 0
			for _, m := range d.History(ref) {
				if m.From == advID {
					n++
				}
			}
			return n == 4
		})
		if got := roles(t, d, ref); !maps.Equal(got, want) {
			t.Fatalf("%s: roles after the forged operations %v, want %v", d.Name, got, want)
		}
	}

	// The admin removes Cat and the adversary.
	bob.CLI("room", "remove", ref, cat.ID())
	bob.CLI("room", "remove", ref, advID)
	want = map[string]string{ann.ID(): "owner", bob.ID(): "admin"}
	for _, d := range ds[:2] {
		d.WaitFor("Cat and the adversary removed", 30*time.Second, func() bool { return maps.Equal(roles(t, d, ref), want) })
	}
	cat.WaitFor("Cat told of the removal", 30*time.Second, func() bool { _, in := roles(t, cat, ref)[cat.ID()]; return !in })
	if _, err := cat.CLIErr("send", ref, "am I still here?"); err == nil {
		t.Fatal("a removed member posted")
	}
	// The adversary posts on regardless, past its cutoff.
	env, err := adv.Post(key, room, 5, "after my removal")
	if err != nil {
		t.Fatal(err)
	}
	if err := adv.Publish(ctx, room, env.Marshal()); err != nil {
		t.Fatal(err)
	}
	// A post of Ann's after it: once it arrives, the adversary's had time.
	ann.CLI("send", ref, "after the removals")
	for _, d := range ds[:2] {
		holds(d, ref, "after the removals")
		if slices.ContainsFunc(d.History(ref), func(m chat.Message) bool { return m.Text == "after my removal" }) {
			t.Fatalf("%s took a removed member's post", d.Name)
		}
	}
	if _, err := cat.CLIErr("room", "remove", ref, bob.ID()); err == nil {
		t.Fatal("a removed member removed someone")
	}
	if out, err := ann.CLIErr("room", "remove", "#general", bob.ID()); err == nil {
		t.Fatalf("a removal in #general: %s", out)
	}
}
