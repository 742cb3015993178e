package app

import (
	"context"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// toggleBlock blocks the colleague (after asking) or unblocks them.
func (u *UI) toggleBlock(peer string) {
	if peer == "" {
		return
	}
	if u.peers[peer].Blocked {
		u.setBlocked(peer, false, "")
		return
	}
	d, _ := u.blockDialog(peer)
	d.Show()
}

// blockDialog asks before blocking a colleague, with a reason kept for
// the user alone; block is what its Block button does.
func (u *UI) blockDialog(peer string) (d dialog.Dialog, block func(reason string)) {
	name := u.convTitle(dmConv(peer))
	what := widget.NewLabel(name + " will no longer reach you: their connections are refused, and nothing they send " +
		"(messages, room posts, files) is kept or shown. They are not told. You can unblock them later.")
	what.Wrapping = fyne.TextWrapWord
	reason := widget.NewEntry()
	reason.SetPlaceHolder("Reason, for you alone (optional)")
	block = func(r string) { u.setBlocked(peer, true, r) }
	f := dialog.NewForm("Block "+name+"?", "Block", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("", what), widget.NewFormItem("Reason", reason)}, func(ok bool) {
			if ok {
				block(reason.Text)
			}
		}, u.win)
	f.Resize(fyne.NewSize(480, 260))
	return f, block
}

// setBlocked blocks or unblocks a colleague; the core's PeerUpdated event
// updates the view.
func (u *UI) setBlocked(peer string, on bool, reason string) {
	u.async(func(ctx context.Context) func() {
		var b chat.Block
		var err error
		if on {
			b, err = u.core.Block(ctx, peer, reason)
		} else {
			b, err = u.core.Unblock(ctx, peer)
		}
		return func() {
			if err != nil {
				u.showError(err)
				return
			}
			p := u.peers[b.PeerID]
			p.Blocked = on
			if on {
				p.Online = false
			}
			if p.PeerID != "" {
				u.peerChanged(p)
			}
		}
	})
}
