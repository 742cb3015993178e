package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
)

// S18: a colleague's modified Hallway invites Bob to a room whose id is
// "general", to rooms named like his, then to 300 rooms. Nothing joins
// without his consent, "#general" and "#name" keep meaning his rooms, and
// catch-up sync still covers every room when he is in more rooms than one
// request may name.
func TestS18HostileInvitations(t *testing.T) {
	r := scenario(t, "S18", "a modified colleague invites you to a room whose id is `general` (or an existing room's name), then to 300 rooms",
		"nothing joins without consent; `#general` and `#name` keep meaning your rooms; catch-up sync still covers every room")
	many := pick(260, 480)
	l := lab(t, 3)
	ds := fleet.Office(t, l, []string{"Ann", "Bob"})
	ann, bob := ds[0], ds[1]
	fleet.Room(t, ds, "proj")
	mine := map[string]string{}
	for _, rm := range fleet.Decode[[]chat.Room](t, bob.CLI("room", "list", "--json")) {
		mine[rm.Name] = rm.ID
	}

	adv := hostile(t, l.Host(3), nil)
	victims := infiltrate(t, adv, []*fleet.Daemon{bob})
	ctx, cancel := context.WithTimeout(context.Background(), deadline(10*time.Minute, 30*time.Minute))
	defer cancel()

	var key [32]byte
	refused := 0
	for _, inv := range []adversary.Invitation{{Room: "general", Name: "general", Key: key}, {Room: "proj", Name: "proj", Key: key},
		{Room: mine["general"], Name: "general", Key: key}, {Room: mine["proj"], Name: "proj", Key: key}} {
		if acks, _ := adv.Invite(ctx, victims[0], []adversary.Invitation{inv}); len(acks) != 1 || !acks[0].OK {
			refused++
		}
	}
	var invs []adversary.Invitation
	for _, name := range []string{"general", "Proj", "ɡeneral", "proj"} {
		inv, err := adversary.NewInvitation(name)
		if err != nil {
			t.Fatal(err)
		}
		invs = append(invs, inv)
	}
	for i := range 300 {
		inv, _ := adversary.NewInvitation(fmt.Sprintf("offer %d", i))
		invs = append(invs, inv)
	}
	acks, err := adv.Invite(ctx, victims[0], invs)
	if err != nil || len(acks) != len(invs) {
		t.Fatalf("%d of %d invitations acknowledged: %v", len(acks), len(invs), err)
	}
	rooms := fleet.Decode[[]chat.Room](t, bob.CLI("room", "list", "--json"))
	if len(rooms) != 2 {
		t.Fatalf("Bob is in %d rooms after the invitations, want his 2: %+v", len(rooms), rooms)
	}
	pending := bob.Invitations()
	if len(pending) != 5 {
		t.Fatalf("%d invitations pending, want the inviter's first 5", len(pending))
	}
	for _, p := range pending {
		if !slices.ContainsFunc(invs[:5], func(i adversary.Invitation) bool { return i.Room == p.Room }) {
			t.Fatalf("pending: an invitation to room %q (%q)", p.Room, p.Name)
		}
	}
	var joinsAs []string
	for _, p := range pending {
		joinsAs = append(joinsAs, p.JoinsAs)
	}
	slices.Sort(joinsAs)
	if !slices.Equal(joinsAs, []string{"Proj (2)", "general (2)", "offer 0", "proj (2)", "ɡeneral (2)"}) {
		t.Fatalf("the look-alikes would join as %q", joinsAs)
	}
	r.measure(t, "4 invitations to room ids general, proj, Bob's own #general and his #proj under another key: %d refused on arrival, the rest dropped, none pending; %d invitations to the inviter's own rooms (4 named general, Proj, ɡeneral, proj): 0 joined, %d pending (the per-colleague cap), the look-alikes numbered apart (%s)",
		refused, len(invs), len(pending), strings.Join(joinsAs, ", "))

	// Accept them all: the user's names still mean the user's rooms.
	for _, p := range pending {
		bob.CLI("room", "accept", p.ID)
	}
	bob.CLI("send", "#general", "general still ours")
	bob.CLI("send", "#proj", "proj still ours")
	for _, ref := range []string{"#general", "#proj"} {
		text := strings.TrimPrefix(ref, "#") + " still ours"
		ann.WaitFor(text, 20*time.Second, func() bool {
			return slices.ContainsFunc(ann.History(ref), func(m chat.Message) bool { return m.Text == text })
		})
	}
	r.measure(t, "after accepting all 5, hallway send #general and #proj still reached Bob's rooms (Ann received both)")

	// Catch-up over more rooms than one sync request may name.
	ids := fleet.ManyRooms(t, ann, bob, many)
	bob.Stop()
	for _, id := range ids {
		if _, err := ann.Client().SendRoom(ctx, "room:"+id, "while Bob was away"); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	bob.Start()
	took := bob.WaitFor("every room caught up", 5*time.Minute, func() bool {
		rs, err := bob.Client().Rooms(ctx)
		if err != nil {
			return false
		}
		n := 0
		for _, rm := range rs {
			if slices.Contains(ids, rm.ID) && rm.Unread == 1 {
				n++
			}
		}
		return n == len(ids)
	})
	r.measure(t, "Bob in %d rooms (%d more than one sync request may name) away while Ann posted in %d: all caught up %.1f s after his restart (%.1f s after the wait began)",
		len(ids)+7, len(ids)+7-256, len(ids), time.Since(start).Seconds(), took.Seconds())
}
