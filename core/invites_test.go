package core

import (
	"context"
	"net/netip"
	"slices"
	"testing"
)

// An invitation waits, across a restart, until the user accepts it; then
// the room and its history arrive as after any join.
func TestInvitationWaitsAcrossRestart(t *testing.T) {
	ctx := context.Background()
	ann := startNode(t, "", "Ann")
	bobDir := t.TempDir()
	bob := startNode(t, bobDir, "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	r, err := ann.CreateRoom(ctx, "plans")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ann.SendRoom(ctx, "#plans", "before Bob was asked"); err != nil {
		t.Fatal(err)
	}
	if _, err := ann.InviteToRoom(ctx, "#plans", "Bob"); err != nil {
		t.Fatal(err)
	}
	var invs []struct{ id, from string }
	bob.waitFor("the invitation", func() bool {
		got, err := bob.RoomInvitations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		invs = invs[:0]
		for _, inv := range got {
			if inv.Room == r.ID && inv.Name == "plans" && inv.FromName == "Ann" && inv.From == ann.ID().String() {
				invs = append(invs, struct{ id, from string }{inv.ID, inv.From})
			}
		}
		return len(invs) == 1
	})
	if bob.inRoom(r.ID) {
		t.Fatal("Bob joined before accepting")
	}
	bob.stop()
	bob = startNode(t, bobDir, "Bob", ann.addr())
	got, err := bob.RoomInvitations(ctx)
	if err != nil || len(got) != 1 || got[0].ID != invs[0].id || bob.inRoom(r.ID) {
		t.Fatalf("after a restart: %+v %v (in the room: %v)", got, err, bob.inRoom(r.ID))
	}
	room, err := bob.AcceptRoomInvitation(ctx, got[0].ID)
	if err != nil || room.ID != r.ID {
		t.Fatalf("accept: %+v %v", room, err)
	}
	bob.waitFor("the room's history", func() bool { return len(bob.roomIDs(r.ID)) == 1 })
	if got, _ := bob.RoomInvitations(ctx); len(got) != 0 {
		t.Fatalf("still pending after accepting: %+v", got)
	}
	ann.waitFor("Bob among the members", func() bool {
		ms, _ := ann.RoomMembers(ctx, "#plans")
		return len(ms) == 2
	})
}

func TestCodeAddrsAreOurOwn(t *testing.T) {
	got := ParseCodeAddrs([]string{
		"/ip4/10.0.0.2/tcp/4774/p2p/12D3KooWGmE4J6FYXbjo8ZSHkXKfA9TUNgYg3kJ7UAUmzJF4NguS/p2p-circuit/p2p/12D3KooWETQcFJbm8rSj2WZ42z7EeueLscP4whRwWhrVRkaSk4K4",
		"/ip6/fd00::7/tcp/4774",
		"/ip4/10.0.0.7/tcp/4774/p2p/12D3KooWETQcFJbm8rSj2WZ42z7EeueLscP4whRwWhrVRkaSk4K4",
		"/ip4/10.0.0.7/tcp/4774",
		"not an address",
	})
	want := []netip.AddrPort{netip.MustParseAddrPort("10.0.0.7:4774"), netip.MustParseAddrPort("[fd00::7]:4774")}
	if !slices.Equal(got, want) {
		t.Fatalf("code addresses %v, want %v", got, want)
	}
}
