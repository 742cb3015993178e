package app

import (
	"context"
	"fmt"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// header names the open conversation: the colleague's presence, status and
// fingerprint with their verified mark (and a loud warning when their
// name belongs to another key), or the room and its members.
type header struct {
	u       *UI
	obj     *fyne.Container
	title   *widget.Label
	sub     *widget.Label
	dot     *canvas.Circle
	verify  *widget.Button
	label   *widget.Button
	block   *widget.Button
	invite  *widget.Button
	members *widget.Button
	leave   *widget.Button
	bell    *widget.Button // the conversation's notification level
	warn    *fyne.Container
	warnTxt *onColourLabel
}

func newHeader(u *UI) *header {
	h := &header{u: u, title: widget.NewLabel(""), sub: widget.NewLabel(""), dot: canvas.NewCircle(presenceColor(""))}
	h.title.TextStyle.Bold = true
	h.title.SizeName = theme.SizeNameSubHeadingText
	h.sub.SizeName = theme.SizeNameCaptionText
	h.sub.Truncation = fyne.TextTruncateEllipsis
	h.verify = widget.NewButtonWithIcon("Verify", theme.ConfirmIcon(), func() { u.showVerify(h.peer()) })
	h.label = widget.NewButton("Label", func() { u.askLabel(h.peer()) })
	h.block = widget.NewButton("Block", func() { u.toggleBlock(h.peer()) })
	h.invite = widget.NewButtonWithIcon("Invite", theme.MailSendIcon(), func() { u.showRoomInvite(h.room()) })
	h.members = widget.NewButton("Members", func() { u.showMembers(h.room()) })
	h.leave = widget.NewButton("Leave", func() { u.askLeave(h.room()) })
	h.bell = widget.NewButtonWithIcon("", theme.VolumeUpIcon(), func() { u.showNotifyMenu(h.bell) })
	h.bell.Importance = widget.LowImportance
	h.warnTxt = newOnColourLabel(true)
	h.warn = container.NewStack(canvas.NewRectangle(warningColor), h.warnTxt.obj)
	left := container.NewHBox(container.NewCenter(container.NewGridWrap(fyne.NewSize(12, 12), h.dot)), h.title)
	buttons := container.NewHBox(h.bell, h.verify, h.label, h.block, h.invite, h.members, h.leave)
	h.obj = container.NewVBox(container.NewBorder(nil, nil, left, buttons), h.sub, h.warn, widget.NewSeparator())
	h.refresh()
	return h
}

func (h *header) peer() string {
	if id, ok := chat.PeerOf(h.u.current); ok {
		return id
	}
	return ""
}

func (h *header) room() string {
	if id, ok := chat.RoomOf(h.u.current); ok {
		return id
	}
	return ""
}

func (h *header) refresh() {
	h.update()
	h.obj.Refresh() // parts appeared or vanished: lay them out again
}

func (h *header) update() {
	u := h.u
	h.warn.Hide()
	if u.current == "" {
		h.obj.Hide()
		return
	}
	h.obj.Show()
	h.title.SetText(u.convTitle(u.current))
	h.bell.SetIcon(theme.VolumeUpIcon())
	h.bell.SetText("")
	if u.muted(u.current) {
		h.bell.SetIcon(theme.VolumeMuteIcon())
		h.bell.SetText(muteShort(u.prefs.MuteOf(u.current), u.now()))
	}
	isDM := h.peer() != ""
	show(h.verify, isDM)
	show(h.label, isDM)
	show(h.block, isDM)
	show(h.invite, !isDM)
	show(h.members, !isDM)
	show(h.dot, isDM)
	if isDM {
		p := u.peers[h.peer()]
		t := u.trusts[h.peer()]
		status := p.Status
		if p.StatusText != "" {
			status += " — " + p.StatusText
		}
		if !p.Online && p.Problem != "" {
			status += " (" + p.Problem + ")"
		}
		h.block.SetText("Block")
		if p.Blocked {
			status = "blocked: nothing they send is kept"
			h.block.SetText("Unblock")
		}
		mark := "not verified"
		h.verify.SetText("Verify")
		if t.Verified {
			mark = "✔ verified"
			h.verify.SetText("Verified")
		}
		fp := p.Fingerprint
		if fp == "" {
			fp = t.Fingerprint
		}
		h.sub.SetText(fmt.Sprintf("%s · fingerprint %s · %s", status, fp, mark))
		if t.Label != "" {
			h.label.SetText(t.Label)
		} else {
			h.label.SetText("Label")
		}
		h.dot.FillColor = presenceColor(p.Status)
		h.dot.Refresh()
		show(h.leave, false)
		if t.Warning != nil {
			h.warnTxt.SetText("⚠ " + t.Warning.Message)
			h.warn.Show()
		}
		return
	}
	for _, r := range u.rooms {
		if roomConv(r.ID) == u.current {
			sub := fmt.Sprintf("%d members", r.Members)
			if r.OpenLAN {
				sub += " · open mode: #" + r.Name + " is visible to every network this computer joins"
			}
			h.sub.SetText(sub)
			show(h.leave, !r.General)
			if w := forkWarning(r); w != "" {
				h.warnTxt.SetText("⚠ " + w)
				h.warn.Show()
			}
		}
	}
}

func (u *UI) askLabel(peer string) {
	if peer == "" {
		return
	}
	e := widget.NewSelectEntry(u.labels())
	e.SetText(u.trusts[peer].Label)
	e.SetPlaceHolder("e.g. Accounting (empty: no label)")
	dialog.ShowForm("Label "+u.convTitle(dmConv(peer)), "Save", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Group", e)}, func(ok bool) {
			if !ok {
				return
			}
			label := e.Text
			u.async(func(ctx context.Context) func() {
				_, err := u.core.SetLabel(ctx, peer, label)
				return func() { u.showError(err) }
			})
		}, u.win)
}

func (u *UI) labels() []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range u.trusts {
		if t.Label != "" && !seen[t.Label] {
			seen[t.Label] = true
			out = append(out, t.Label)
		}
	}
	return out
}

func (u *UI) askLeave(room string) {
	if room == "" {
		return
	}
	name := u.convTitle(roomConv(room))
	dialog.ShowConfirm("Leave "+name+"?", "You keep its history; someone must invite you to come back.", func(ok bool) {
		if !ok {
			return
		}
		u.async(func(ctx context.Context) func() {
			err := u.core.LeaveRoom(ctx, room)
			return func() { u.showError(err) }
		})
	}, u.win)
}

// forkWarning is the room header's warning when a member was seen signing
// two versions of a message: members may not see the same history.
func forkWarning(r chat.Room) string {
	if len(r.Forked) == 0 {
		return ""
	}
	n := 0
	for _, c := range r.Forked {
		n += c
	}
	who := "A member"
	if len(r.Forked) > 1 {
		who = fmt.Sprintf("%d members", len(r.Forked))
	}
	return fmt.Sprintf("%s sent different versions of %d message(s) to different people here: "+
		"the history may differ between members. Both versions are kept and exported.", who, n)
}
