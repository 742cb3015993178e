package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hallway/chat"
)

// Passes (docs/GOVERNANCE.md): an admin makes a code that lets a few
// newcomers in while no admin is online, and shows it with its QR.

// isAdmin reports whether the policy names us among the workspace's
// admins.
func (u *UI) isAdmin() bool {
	if u.policy == nil {
		return false
	}
	for _, a := range u.policy.Admins {
		if a.PeerID == u.self.PeerID {
			return true
		}
	}
	return false
}

// askOpenPass asks how many newcomers and for how long, then opens the
// pass and shows its code.
func (u *UI) askOpenPass() {
	uses := widget.NewEntry()
	uses.SetText("1")
	days := widget.NewEntry()
	days.SetText("7")
	items := []*widget.FormItem{widget.NewFormItem("Newcomers", uses), widget.NewFormItem("Days", days)}
	dialog.ShowForm("Pass for newcomers", "Make the pass", "Cancel", items, func(ok bool) {
		if ok {
			u.openPass(uses.Text, days.Text)
		}
	}, u.win)
}

// openPass opens a pass for uses newcomers lasting days, as typed, and
// shows its code.
func (u *UI) openPass(uses, days string) {
	n, err1 := strconv.Atoi(strings.TrimSpace(uses))
	d, err2 := strconv.Atoi(strings.TrimSpace(days))
	if err1 != nil || err2 != nil || n < 1 || d < 1 {
		u.showError(chat.UserErrorf("give a number of newcomers and of days, both from 1"))
		return
	}
	c := u.core
	u.async(func(ctx context.Context) func() {
		p, err := c.OpenPass(ctx, n, time.Duration(d)*24*time.Hour)
		if err != nil {
			return func() { u.showError(err) }
		}
		return func() {
			u.showCode("Pass for newcomers", fmt.Sprintf("This code lets %d colleague(s) in until %s, at any member's Hallway, "+
				"even while no admin is online. It is shown once and holds the workspace key: hand it over in person or "+
				"through a direct message.", p.Uses, p.ExpiresAt.Local().Format("Mon 2 Jan 15:04")), p.Code)
		}
	})
}
