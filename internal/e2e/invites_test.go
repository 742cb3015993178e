package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// roomIDsByName lists d's rooms by name.
func roomIDsByName(t *testing.T, d *fleet.Daemon) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range fleet.Decode[[]chat.Room](t, d.CLI("room", "list", "--json")) {
		out[r.Name] = r.ID
	}
	return out
}

// holds waits until d's history of ref holds text.
func holds(d *fleet.Daemon, ref, text string) {
	d.WaitFor(fmt.Sprintf("%q in %s", text, ref), 20*time.Second, func() bool {
		return slices.ContainsFunc(d.History(ref), func(m chat.Message) bool { return m.Text == text })
	})
}

// TestHostileInviter: a colleague's modified Hallway invites Bob to a room
// whose id is "general", to rooms named like his, then to 300 rooms. Real
// daemons on namespace hosts; the inviter is internal/adversary. Nothing
// joins without Bob's consent, "#general" and "#project" still reach his
// rooms, accepting works, and catch-up sync covers more rooms than one
// request may name.
func TestHostileInviter(t *testing.T) {
	lab := netlab.New(t, 3)
	ds := fleet.Office(t, lab, []string{"Ann", "Bob"})
	ann, bob := ds[0], ds[1]
	fleet.Room(t, ds, "project")
	mine := roomIDsByName(t, bob)
	if len(mine) != 2 || mine["general"] == "" || mine["project"] == "" {
		t.Fatalf("Bob's rooms %v", mine)
	}

	h := lab.Host(3)
	adv, err := adversary.New(adversary.Config{NS: h, IP: h.IP})
	if err != nil {
		t.Fatal(err)
	}
	defer adv.Close()
	adv.SinkProfiles()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bobID, err := adv.Connect(ctx, bob.Self().Addrs[0])
	if err != nil {
		t.Fatal(err)
	}
	bob.WaitFor("the inviter connected", 20*time.Second, func() bool { return bob.Online(adv.ID().String()) })

	// Rooms whose ids read like names, or are Bob's #general: refused.
	var key [32]byte
	for _, inv := range []adversary.Invitation{{Room: "general", Name: "general", Key: key}, {Room: "project", Name: "project", Key: key},
		{Room: mine["general"], Name: "general", Key: key}} {
		acks, _ := adv.Invite(ctx, bobID, []adversary.Invitation{inv})
		if len(acks) == 1 && acks[0].OK {
			t.Errorf("an invitation to room id %q was taken", inv.Room)
		}
	}
	// Rooms of the inviter's own, named like Bob's, then 300 more.
	asProject, _ := adversary.NewInvitation("project")
	asGeneral, _ := adversary.NewInvitation("General")
	flood := []adversary.Invitation{asProject, asGeneral}
	for i := range 300 {
		inv, _ := adversary.NewInvitation(fmt.Sprintf("offer %d", i))
		flood = append(flood, inv)
	}
	acks, err := adv.Invite(ctx, bobID, flood)
	if err != nil || len(acks) != len(flood) {
		t.Fatalf("%d of %d invitations acknowledged: %v", len(acks), len(flood), err)
	}

	// Nothing joined; a few wait, named by what Bob's node knows.
	if got := roomIDsByName(t, bob); len(got) != 2 || got["general"] != mine["general"] || got["project"] != mine["project"] {
		t.Fatalf("Bob's rooms after the invitations: %v", got)
	}
	invs := fleet.Decode[[]chat.RoomInvitation](t, bob.CLI("room", "invites", "--json"))
	byRoom := map[string]chat.RoomInvitation{}
	for _, inv := range invs {
		if inv.From != adv.ID().String() || inv.State != chat.InvitationPending {
			t.Fatalf("invitation %+v", inv)
		}
		byRoom[inv.Room] = inv
	}
	if len(invs) != 5 || byRoom[asProject.Room].JoinsAs != "project (2)" || byRoom[asGeneral.Room].JoinsAs != "General (2)" {
		t.Fatalf("%d pending, want the inviter's first 5: %+v", len(invs), invs)
	}

	// "#general" and "#project" mean Bob's rooms, for text and files.
	bob.CLI("send", "#general", "lunch at noon")
	bob.CLI("send", "#project", "the draft is up")
	holds(ann, "#general", "lunch at noon")
	holds(ann, "#project", "the draft is up")
	file := filepath.Join(t.TempDir(), "agenda.txt")
	if err := os.WriteFile(file, []byte("10:00 kick-off"), 0o600); err != nil {
		t.Fatal(err)
	}
	tr := fleet.Decode[chat.Transfer](t, bob.CLI("file", "send", "#general", file, "--json"))
	if tr.Conversation != chat.RoomConv(mine["general"]).String() {
		t.Fatalf("file send #general offered in %q, want Bob's #general", tr.Conversation)
	}

	// Accepting joins under a name of its own; declining drops.
	r := fleet.Decode[chat.Room](t, bob.CLI("room", "accept", byRoom[asProject.Room].ID, "--json"))
	if r.ID != asProject.Room || r.Name != "project (2)" {
		t.Fatalf("accepted %+v", r)
	}
	bob.CLI("room", "decline", byRoom[asGeneral.Room].ID)
	bob.CLI("send", "#project", "still our room")
	holds(ann, "#project", "still our room")
	if got := roomIDsByName(t, bob); len(got) != 3 || got["project (2)"] != asProject.Room || got["project"] != mine["project"] {
		t.Fatalf("Bob's rooms after accepting: %v", got)
	}
	if _, err := bob.CLIErr("room", "accept", byRoom[asGeneral.Room].ID); err == nil {
		t.Fatal("a declined invitation was accepted")
	}

	// What waits survives a restart.
	bob.Stop()
	bob.Start()
	if n := len(bob.Invitations()); n != 3 {
		t.Fatalf("%d invitations pending after a restart, want 3", n)
	}

	// Catch-up covers every room, more than one sync request may name.
	ids := fleet.ManyRooms(t, ann, bob, 260)
	bob.Stop()
	ac := ann.Client()
	for _, id := range ids {
		if _, err := ac.SendRoom(ctx, "room:"+id, "while Bob was away"); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	bob.Start()
	bob.WaitFor("every room caught up", 3*time.Minute, func() bool {
		rooms, err := bob.Client().Rooms(ctx)
		if err != nil {
			return false
		}
		n := 0
		for _, r := range rooms {
			if slices.Contains(ids, r.ID) && r.Unread == 1 {
				n++
			}
		}
		return n == len(ids)
	})
	t.Logf("Bob in %d rooms caught up %s after his restart", len(ids)+3, time.Since(start).Round(time.Millisecond))
}
