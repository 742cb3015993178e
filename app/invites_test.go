package app

import (
	"slices"
	"testing"

	"hallway/chat"

	"fyne.io/fyne/v2/test"
)

// rowTitles lists the sidebar's rows of a kind.
func (u *UI) rowTitles(kind rowKind) []string {
	var out []string
	for _, r := range u.sidebar.rows {
		if r.kind == kind {
			out = append(out, r.title+" | "+r.sub)
		}
	}
	return out
}

// A colleague's invitation shows with who sent it and the room's name, and
// joins only when the user accepts it.
func TestInvitationShowsAndAcceptJoins(t *testing.T) {
	f := office()
	inv := chat.RoomInvitation{ID: "inv1", Room: "04ab3xyzkmnpqrstvw0123456w", Name: "project", JoinsAs: "project",
		From: "12D3KooWMallory", FromName: "Mallory", Time: day0, State: chat.InvitationPending}
	f.invites = []chat.RoomInvitation{inv}
	u := newTestUI(t, f)
	if got := u.rowTitles(rowInvite); !slices.Equal(got, []string{"#project | from Mallory · accept or decline"}) {
		t.Fatalf("invitation rows %q", got)
	}
	if got := u.rowTitles(rowRoom); slices.ContainsFunc(got, func(s string) bool { return s[:8] == "#project" }) {
		t.Fatal("the room shows as joined before the user accepted")
	}
	// A second one arrives, named like a room the user is in.
	twin := chat.RoomInvitation{ID: "inv2", Room: "zzzzzzzzzzzzzzzzzzzzzzzzz0", Name: "general", JoinsAs: "general (2)",
		From: "12D3KooWMallory", FromName: "Mallory", Time: day0, State: chat.InvitationPending}
	u.deliver(chat.InvitationChanged{Invitation: twin})
	if n := len(u.rowTitles(rowInvite)); n != 2 {
		t.Fatalf("%d invitation rows after the second arrived", n)
	}
	d, _, decline := u.invitationDialog(twin)
	d.Show()
	test.Tap(decline)
	if f.actions[len(f.actions)-1] != "decline invitation inv2" {
		t.Fatalf("actions %v", f.actions)
	}
	twin.State = chat.InvitationDeclined
	u.deliver(chat.InvitationChanged{Invitation: twin})

	i := slices.IndexFunc(u.sidebar.rows, func(r sideRow) bool { return r.kind == rowInvite })
	u.sidebar.list.Select(i) // opens the dialog, as a click does
	d, accept, _ := u.invitationDialog(inv)
	d.Show()
	test.Tap(accept)
	if f.actions[len(f.actions)-1] != "accept invitation inv1" {
		t.Fatalf("actions %v", f.actions)
	}
	inv.State = chat.InvitationAccepted
	u.deliver(chat.InvitationChanged{Invitation: inv})
	if got := u.rowTitles(rowInvite); len(got) != 0 {
		t.Fatalf("invitation rows left: %q", got)
	}
	if u.current != "room:"+inv.Room || !slices.ContainsFunc(u.rooms, func(r chat.Room) bool { return r.ID == inv.Room }) {
		t.Fatalf("after accepting, the window shows %q", u.current)
	}
}
