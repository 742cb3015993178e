package app

import (
	"context"
	"slices"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// A colleague's room invitation joins nothing by itself: it shows at the
// top of the sidebar, with who sent it and the room's name, until the user
// accepts or declines it.

// invitationChanged applies an invitation event: a pending one is shown
// (or renewed), an accepted or declined one goes.
func (u *UI) invitationChanged(inv chat.RoomInvitation) {
	u.invites = slices.DeleteFunc(u.invites, func(o chat.RoomInvitation) bool { return o.ID == inv.ID })
	if inv.State == chat.InvitationPending {
		u.invites = append(u.invites, inv)
		u.log.Info("invitation shown", "room", inv.Name, "from", inviterName(inv))
	}
	u.sidebar.refresh()
}

// inviterName is who sent an invitation, as this node knows their key.
func inviterName(inv chat.RoomInvitation) string {
	if inv.FromName != "" {
		return inv.FromName
	}
	return shortID(inv.From)
}

// invitationRows are the sidebar's rows for pending invitations.
func (u *UI) invitationRows() []sideRow {
	if len(u.invites) == 0 {
		return nil
	}
	rows := []sideRow{{kind: rowSection, title: "Invitations"}}
	for _, inv := range u.invites {
		rows = append(rows, sideRow{kind: rowInvite, title: "#" + inv.Name, sub: "from " + inviterName(inv) + " · accept or decline",
			invite: inv.ID, badge: 1})
	}
	return rows
}

// showInvitation asks the user about a pending invitation.
func (u *UI) showInvitation(id string) {
	i := slices.IndexFunc(u.invites, func(inv chat.RoomInvitation) bool { return inv.ID == id })
	if i < 0 {
		return
	}
	d, _, _ := u.invitationDialog(u.invites[i])
	d.Show()
}

// invitationDialog shows who invites the user to which room, with Accept,
// Decline and Later.
func (u *UI) invitationDialog(inv chat.RoomInvitation) (d dialog.Dialog, accept, decline *widget.Button) {
	text := widget.NewLabel(inviterName(inv) + " invites you to #" + inv.Name + ". You join only if you accept.")
	text.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{text}
	if inv.JoinsAs != inv.Name {
		same := widget.NewLabel("Its name looks like a room you are in already, so it will show as #" + inv.JoinsAs + ".")
		same.Wrapping = fyne.TextWrapWord
		same.Importance = widget.WarningImportance
		items = append(items, same)
	}
	from := widget.NewLabel("Sent by " + inv.From)
	from.SizeName = theme.SizeNameCaptionText
	from.Wrapping = fyne.TextWrapBreak
	items = append(items, from)
	accept = widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), func() {
		d.Hide()
		u.async(func(ctx context.Context) func() {
			r, err := u.core.AcceptRoomInvitation(ctx, inv.ID)
			return func() {
				if err != nil {
					u.showError(err)
					return
				}
				u.roomJoined(r.ID)
			}
		})
	})
	accept.Importance = widget.HighImportance
	decline = widget.NewButtonWithIcon("Decline", theme.CancelIcon(), func() {
		d.Hide()
		u.async(func(ctx context.Context) func() {
			err := u.core.DeclineRoomInvitation(ctx, inv.ID)
			return func() { u.showError(err) }
		})
	})
	later := widget.NewButton("Later", func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons("Invitation to #"+inv.Name, container.NewVBox(items...), u.win)
	d.(*dialog.CustomDialog).SetButtons([]fyne.CanvasObject{later, decline, accept})
	d.Resize(fyne.NewSize(460, 240))
	return d, accept, decline
}
