package rooms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// sentInvite is the invitation n last queued as a DM.
func (n *testNode) sentInvite() *p2p.RoomInvite {
	n.t.Helper()
	n.keysMu.Lock()
	defer n.keysMu.Unlock()
	for i := len(n.dms) - 1; i >= 0; i-- {
		kind, meta, _ := strings.Cut(n.dms[i], " ")
		if kind != p2p.DMKindInvite {
			continue // the keys of later epochs follow an invitation
		}
		var inv p2p.RoomInvite
		if err := json.Unmarshal([]byte(meta), &inv); err != nil {
			n.t.Fatal(err)
		}
		return &inv
	}
	n.t.Fatal("no invitation queued")
	return nil
}

// invitations lists n's pending invitations.
func (n *testNode) invitations() []chat.RoomInvitation {
	n.t.Helper()
	invs, err := n.Invitations(context.Background())
	if err != nil {
		n.t.Fatal(err)
	}
	return invs
}

// invitationEvent waits for n's next invitation event in state.
func (n *testNode) invitationEvent(state string) chat.RoomInvitation {
	n.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-n.bus.events:
			if ic, ok := e.(chat.InvitationChanged); ok && ic.Invitation.State == state {
				return ic.Invitation
			}
		case <-deadline:
			n.t.Fatalf("no %s invitation event", state)
		}
	}
}

// hostileInvite is an invitation a colleague makes up: any id, any name.
func hostileInvite(id, name string) *p2p.RoomInvite {
	key, _ := hcrypto.NewRoomKey()
	return &p2p.RoomInvite{Room: id, Name: name, Key: key[:]}
}

func newID(t *testing.T) string {
	t.Helper()
	id, err := hcrypto.NewRoomID()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// An invitation joins nothing: it waits, named by the inviter's key, until
// the user accepts it, which joins the room as a code would.
func TestInvitationWaitsForConsent(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	bob.deps.Colleague = func(_ context.Context, p peer.ID) chat.Colleague {
		return chat.Colleague{PeerID: p.String(), Name: "Ann (as Bob's node knows her)"}
	}
	room := project(t, ann)
	ctx := context.Background()
	if _, err := ann.Invite(ctx, "#project", bob.id.String()); err != nil {
		t.Fatal(err)
	}
	bob.InviteReceived(ctx, ann.id, ann.sentInvite())
	got := bob.invitationEvent(chat.InvitationPending)
	if bob.Joined().Get(room) != nil || bob.net.topic(room) != nil {
		t.Fatal("an invitation joined the room before the user accepted it")
	}
	if _, ok, _ := bob.store.Room(ctx, room); ok {
		t.Fatal("an invitation stored the room as joined")
	}
	invs := bob.invitations()
	if len(invs) != 1 || invs[0] != got {
		t.Fatalf("pending %+v, announced %+v", invs, got)
	}
	if inv := invs[0]; inv.Room != room || inv.Name != "project" || inv.JoinsAs != "project" || inv.From != ann.id.String() ||
		inv.FromName != "Ann (as Bob's node knows her)" || inv.State != chat.InvitationPending || inv.ID == "" {
		t.Fatalf("invitation %+v", inv)
	}
	// Again: one entry per room and inviter.
	bob.InviteReceived(ctx, ann.id, ann.sentInvite())
	if n := len(bob.invitations()); n != 1 {
		t.Fatalf("a repeated invitation made %d entries", n)
	}

	r, err := bob.AcceptInvitation(ctx, " "+strings.ToUpper(invs[0].ID)+" ")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != room || r.Name != "project" || bob.Joined().Get(room) == nil || bob.net.topic(room) == nil {
		t.Fatalf("accepting joined %+v", r)
	}
	if done := bob.invitationEvent(chat.InvitationAccepted); done.ID != invs[0].ID {
		t.Fatalf("accepted event %+v", done)
	}
	if n := len(bob.invitations()); n != 0 {
		t.Fatalf("%d invitations still pending after accepting", n)
	}
	if env, _ := hcrypto.UnmarshalEnvelope(bob.lastGossip(room)); env == nil || env.Seq != 1 {
		t.Fatal("joining by invitation said nothing to the room's members")
	}
	if _, err := bob.AcceptInvitation(ctx, invs[0].ID); !errors.Is(err, ErrNoInvitation) {
		t.Fatalf("accepting again: %v", err)
	}
	// Invited again to a room we are in: nothing to ask.
	bob.InviteReceived(ctx, ann.id, ann.sentInvite())
	if n := len(bob.invitations()); n != 0 {
		t.Fatal("an invitation to a joined room is pending")
	}
}

func TestDeclineDropsTheInvitation(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	room := project(t, ann)
	ctx := context.Background()
	if _, err := ann.Invite(ctx, "#project", bob.id.String()); err != nil {
		t.Fatal(err)
	}
	bob.InviteReceived(ctx, ann.id, ann.sentInvite())
	inv := bob.invitationEvent(chat.InvitationPending)
	if err := bob.DeclineInvitation(ctx, inv.ID); err != nil {
		t.Fatal(err)
	}
	if got := bob.invitationEvent(chat.InvitationDeclined); got.ID != inv.ID {
		t.Fatalf("declined event %+v", got)
	}
	if bob.store.pending() != 0 || bob.Joined().Get(room) != nil || len(bob.dms) != 0 {
		t.Fatal("a declined invitation left something behind (or told the inviter)")
	}
	if err := bob.DeclineInvitation(ctx, inv.ID); !errors.Is(err, ErrNoInvitation) {
		t.Fatalf("declining again: %v", err)
	}
}

// A colleague picks ids and names to take over the user's rooms: none of
// it joins, "#general" and "#project" keep meaning the user's rooms, and
// what is accepted is numbered apart.
func TestHostileInvitationsCannotTakeOverNames(t *testing.T) {
	bob := newTestNode(t, "Bob")
	mine := project(t, bob)
	mal := peer.ID("mallory")
	ctx := context.Background()
	gen := bob.Joined().All()[0]
	if !gen.General() {
		gen = bob.Joined().All()[1]
	}
	for _, inv := range []*p2p.RoomInvite{
		hostileInvite("general", "general"),
		hostileInvite("project", "project"),
		hostileInvite(gen.ID(), "general"),
		hostileInvite(mine, "project"), // our room, another key
		hostileInvite(newID(t), "bad\u200bname"),
		{Room: newID(t), Name: "nokey"},
	} {
		bob.InviteReceived(ctx, mal, inv)
	}
	if n := bob.store.pending(); n != 0 {
		t.Fatalf("%d hostile invitations kept: %+v", n, bob.invitations())
	}
	asGeneral, asProject := hostileInvite(newID(t), "ɡeneral"), hostileInvite(newID(t), "Project")
	bob.InviteReceived(ctx, mal, asGeneral)
	bob.InviteReceived(ctx, mal, asProject)
	invs := bob.invitations()
	// By name: the two may arrive within one tick of a coarse clock.
	joinsAs := map[string]string{}
	for _, inv := range invs {
		joinsAs[inv.Name] = inv.JoinsAs
	}
	if len(invs) != 2 || joinsAs["ɡeneral"] != "ɡeneral (2)" || joinsAs["Project"] != "Project (2)" {
		t.Fatalf("pending %+v", invs)
	}
	for _, inv := range invs {
		if _, err := bob.AcceptInvitation(ctx, inv.ID); err != nil {
			t.Fatal(err)
		}
	}
	for ref, want := range map[string]string{"#general": gen.ID(), "general": gen.ID(), "#project": mine, "#PROJECT": mine,
		"#Project (2)": asProject.Room, "#ɡeneral (2)": asGeneral.Room} {
		if id, err := bob.Joined().ResolveID(ref); err != nil || id != want {
			t.Errorf("%q resolves to %q (%v), want %q", ref, id, err, want)
		}
	}
	m, err := bob.Send(ctx, "#general", "hello")
	if err != nil || m.Conversation != chat.RoomConv(gen.ID()).String() {
		t.Fatalf("#general sent to %q (%v)", m.Conversation, err)
	}
	// The user's own names stay apart too.
	for _, name := range []string{"general", "GENERAL", "ɡeneral", "project", "Prоject"} {
		var ue *chat.UserError
		if _, err := bob.Create(ctx, name); !errors.As(err, &ue) {
			t.Errorf("created a room named %q: %v", name, err)
		}
	}
}

// One colleague keeps a few invitations pending, all colleagues a bounded
// number; the excess is dropped, never joined.
func TestPendingInvitationsAreCapped(t *testing.T) {
	bob := newTestNode(t, "Bob")
	ctx := context.Background()
	mal := peer.ID("mallory")
	for i := range 300 {
		bob.InviteReceived(ctx, mal, hostileInvite(newID(t), fmt.Sprintf("room %d", i)))
	}
	if n := bob.store.pending(); n != MaxInvitesPerInviter {
		t.Fatalf("%d invitations from one colleague pending, want %d", n, MaxInvitesPerInviter)
	}
	for i := range 2 * MaxPendingInvites / MaxInvitesPerInviter {
		from := peer.ID(fmt.Sprintf("colleague %d", i))
		for j := range MaxInvitesPerInviter {
			bob.InviteReceived(ctx, from, hostileInvite(newID(t), fmt.Sprintf("room %d/%d", i, j)))
		}
	}
	if n := bob.store.pending(); n != MaxPendingInvites {
		t.Fatalf("%d invitations pending, want %d", n, MaxPendingInvites)
	}
	if n := bob.Joined().Len(); n != 1 {
		t.Fatalf("in %d rooms, want only #general", n)
	}
}

func TestJoinedRoomsAreCapped(t *testing.T) {
	ann := newTestNode(t, "Ann")
	ctx := context.Background()
	for i := 1; i < MaxRooms; i++ {
		if _, err := ann.Create(ctx, fmt.Sprintf("room %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var ue *chat.UserError
	if _, err := ann.Create(ctx, "one too many"); !errors.As(err, &ue) || !strings.Contains(ue.Message(), "500 rooms") {
		t.Fatalf("room %d: %v", MaxRooms+1, err)
	}
	if n := ann.Joined().Len(); n != MaxRooms {
		t.Fatalf("in %d rooms", n)
	}
}

// Rooms that history holds under one name, from before names were kept
// apart, open with a number; the earliest joined keeps the name.
func TestOpenNumbersRoomsThatShareAName(t *testing.T) {
	first, second, third := newID(t), newID(t), newID(t)
	t0 := time.Now().Add(-time.Hour)
	bob := newTestNodeWith(t, "Bob", nil, func(s *fakeStore) {
		s.rooms[second] = storage.Room{ID: second, Name: "Project", JoinedAt: t0.Add(time.Minute)}
		s.rooms[first] = storage.Room{ID: first, Name: "project", JoinedAt: t0}
		s.rooms[third] = storage.Room{ID: third, Name: "general", JoinedAt: t0}
	})
	for ref, want := range map[string]string{"#project": first, "#Project (2)": second, "#general (2)": third} {
		if id, err := bob.Joined().ResolveID(ref); err != nil || id != want {
			t.Errorf("%q resolves to %q (%v), want %q", ref, id, err, want)
		}
	}
	if r, _, _ := bob.store.Room(context.Background(), second); r.Name != "Project (2)" {
		t.Fatalf("stored as %q", r.Name)
	}
}
