package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// showAddMenu offers what "+" in the sidebar can add.
func (u *UI) showAddMenu(anchor fyne.CanvasObject) {
	m := fyne.NewMenu("",
		fyne.NewMenuItem("New room…", u.askCreateRoom),
		fyne.NewMenuItem("Join a room with a code…", u.askJoinRoom),
		fyne.NewMenuItem("Add a colleague by address…", u.askAddColleague),
	)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor).AddXY(0, anchor.Size().Height)
	widget.ShowPopUpMenuAtPosition(m, u.win.Canvas(), pos)
}

func (u *UI) askCreateRoom() {
	e := widget.NewEntry()
	e.SetPlaceHolder("project")
	dialog.ShowForm("New room", "Create", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", e)}, func(ok bool) {
		if !ok {
			return
		}
		name := e.Text
		u.async(func(ctx context.Context) func() {
			r, err := u.core.CreateRoom(ctx, name)
			return func() {
				if err != nil {
					u.showError(err)
					return
				}
				u.roomJoined(r.ID)
			}
		})
	}, u.win)
}

func (u *UI) askJoinRoom() {
	e := widget.NewEntry()
	e.SetPlaceHolder("HWR2-…")
	dialog.ShowForm("Join a room", "Join", "Cancel", []*widget.FormItem{widget.NewFormItem("Room code", e)}, func(ok bool) {
		if !ok {
			return
		}
		code := strings.TrimSpace(e.Text)
		u.async(func(ctx context.Context) func() {
			r, err := u.core.JoinRoomCode(ctx, code)
			return func() {
				if err != nil {
					u.showError(err)
					return
				}
				u.roomJoined(r.ID)
			}
		})
	}, u.win)
}

// roomJoined opens a room once the core lists it.
func (u *UI) roomJoined(id string) {
	u.async(func(ctx context.Context) func() {
		rooms, err := u.core.Rooms(ctx)
		return func() {
			if err == nil {
				u.rooms = rooms
				u.sidebar.refresh()
			}
			u.open(roomConv(id))
		}
	})
}

func (u *UI) askAddColleague() {
	e := widget.NewEntry()
	e.SetPlaceHolder("/ip4/192.168.1.20/tcp/4001/p2p/12D3KooW…")
	dialog.ShowForm("Add a colleague by address", "Add", "Cancel", []*widget.FormItem{widget.NewFormItem("Address", e)}, func(ok bool) {
		if ok {
			u.addColleague(e.Text)
		}
	}, u.win)
}

// showRoomInvite invites a colleague into a room, or shows the room code.
func (u *UI) showRoomInvite(room string) {
	if room == "" {
		return
	}
	var names []string
	ids := map[string]string{}
	for _, p := range u.sortedPeers() {
		label := p.Name
		if _, dup := ids[label]; dup || label == "" {
			label = p.Name + " (" + shortID(p.PeerID) + ")"
		}
		ids[label] = p.PeerID
		names = append(names, label)
	}
	sel := widget.NewSelect(names, nil)
	var d dialog.Dialog
	codeBtn := widget.NewButton("Show the room code instead", func() {
		d.Hide()
		u.async(func(ctx context.Context) func() {
			code, err := u.core.RoomInviteCode(ctx, room)
			return func() {
				if err != nil {
					u.showError(err)
					return
				}
				u.showCode("Room code", "A colleague not connected yet joins with this code (+ → Join a room) within 24 hours, while a member of the room is online:", code)
			}
		})
	})
	d = dialog.NewForm("Invite to "+u.convTitle(roomConv(room)), "Invite", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Colleague", sel), widget.NewFormItem("", codeBtn)}, func(ok bool) {
			peer := ids[sel.Selected]
			if !ok || peer == "" {
				return
			}
			u.async(func(ctx context.Context) func() {
				_, err := u.core.InviteToRoom(ctx, room, peer)
				return func() {
					if err != nil {
						u.showError(err)
						return
					}
					u.info("Invitation sent; it waits for them if they are away.")
				}
			})
		}, u.win)
	d.Resize(fyne.NewSize(460, 220))
	d.Show()
}
