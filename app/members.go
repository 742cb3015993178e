package app

import (
	"context"
	"fmt"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// showMembers lists a room's members with their role; an owner or admin
// gets a Remove button beside everyone but themselves and the owner.
func (u *UI) showMembers(room string) {
	if room == "" {
		return
	}
	u.async(func(ctx context.Context) func() {
		ms, err := u.core.RoomMembers(ctx, room)
		return func() {
			if err != nil {
				u.showError(err)
				return
			}
			d, _, _ := u.membersDialog(room, ms)
			d.Show()
		}
	})
}

// membersDialog shows members ms of room; removes are its Remove buttons
// by peer id, and lines the text of each row.
func (u *UI) membersDialog(room string, ms []chat.RoomMember) (d dialog.Dialog, removes map[string]*widget.Button, lines []string) {
	var mine string
	for _, m := range ms {
		if m.You {
			mine = m.Role
		}
	}
	manager := mine == chat.RoleOwner || mine == chat.RoleAdmin
	removes = map[string]*widget.Button{}
	rows := container.NewVBox()
	for _, m := range ms {
		name := m.Name
		if name == "" {
			name = shortID(m.PeerID)
		}
		if m.You {
			name += " (you)"
		}
		line := widget.NewLabel(fmt.Sprintf("%s · %s", name, memberRole(m)))
		lines = append(lines, line.Text)
		line.Truncation = fyne.TextTruncateEllipsis
		if !manager || m.You || m.Role == chat.RoleOwner {
			rows.Add(line)
			continue
		}
		m := m
		remove := widget.NewButton("Remove", func() {
			d.Hide()
			confirm, _ := u.askRemove(room, m)
			confirm.Show()
		})
		remove.Importance = widget.DangerImportance
		removes[m.PeerID] = remove
		rows.Add(container.NewBorder(nil, nil, nil, remove, line))
	}
	d = dialog.NewCustom("Members of "+u.convTitle(roomConv(room)), "Close", container.NewVScroll(rows), u.win)
	d.Resize(fyne.NewSize(460, 360))
	return d, removes, lines
}

// memberRole is how the member list names a role.
func memberRole(m chat.RoomMember) string {
	switch m.Role {
	case chat.RoleOwner:
		return "owner"
	case chat.RoleAdmin:
		return "admin"
	}
	return "member"
}

// askRemove is the confirmation that removes a member from a room, and
// what answering it does.
func (u *UI) askRemove(room string, m chat.RoomMember) (dialog.Dialog, func(bool)) {
	name := m.Name
	if name == "" {
		name = shortID(m.PeerID)
	}
	answer := func(ok bool) {
		if !ok {
			return
		}
		u.async(func(ctx context.Context) func() {
			err := u.core.RemoveFromRoom(ctx, room, m.PeerID)
			return func() {
				if err != nil {
					u.showError(err)
					return
				}
				u.info("%s was removed.", name)
			}
		})
	}
	return dialog.NewConfirm("Remove "+name+"?", fmt.Sprintf("%s leaves %s for everyone, and nothing they post there from now on is accepted.",
		name, u.convTitle(roomConv(room))), answer, u.win), answer
}
