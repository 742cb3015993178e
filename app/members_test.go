package app

import (
	"slices"
	"testing"

	"hallway/chat"

	"fyne.io/fyne/v2/test"
)

// The member list shows roles; an owner or admin gets a Remove button on
// everyone but themselves and the owner, and nobody is removed before the
// user confirms.
func TestMembersShowRolesAndRemoveAfterConfirming(t *testing.T) {
	f := office()
	room := "04ab3xyzkmnpqrstvw0123456w"
	f.rooms = append(f.rooms, chat.Room{ID: room, Name: "project", Members: 3})
	member := func(id, name, role string, you bool) chat.RoomMember {
		return chat.RoomMember{Colleague: chat.Colleague{PeerID: id, Name: name}, Role: role, You: you}
	}
	f.members = map[string][]chat.RoomMember{room: {
		member("12D3KooWAnn", "Ann", chat.RoleOwner, false),
		member("12D3KooWMe", "Me", chat.RoleAdmin, true),
		member(bobID, "Bob", chat.RoleMember, false),
	}}
	u := newTestUI(t, f)
	d, removes, lines := u.membersDialog(room, f.members[room])
	d.Show()
	if want := []string{"Ann · owner", "Me (you) · admin", "Bob · member"}; !slices.Equal(lines, want) {
		t.Fatalf("member rows %q, want %q", lines, want)
	}
	if len(removes) != 1 || removes[bobID] == nil {
		t.Fatalf("remove buttons for %v, want Bob's only", removes)
	}
	test.Tap(removes[bobID])
	if len(f.removed) != 0 {
		t.Fatal("removed before the user confirmed")
	}
	_, answer := u.askRemove(room, f.members[room][2])
	answer(false)
	if len(f.removed) != 0 {
		t.Fatal("removed although the user said no")
	}
	answer(true)
	if !slices.Equal(f.removed, []string{room + " " + bobID}) {
		t.Fatalf("removed %v", f.removed)
	}

	// A plain member sees roles and no Remove button.
	f.members[room][1].Role = chat.RoleMember
	_, removes, _ = u.membersDialog(room, f.members[room])
	if len(removes) != 0 {
		t.Fatalf("a member got remove buttons: %v", removes)
	}
}
