package app

import (
	"context"
	"fmt"
	"strings"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// The workspace policy as the window shows it: read-only in the settings,
// with who set it and when, and its acceptable-use notice, which each
// member acknowledges when it first sees it and after each change.

// checkNotice puts the notice up when the policy in force has one this
// member has not acknowledged, once per version (again at the next
// start if put off).
func (u *UI) checkNotice() {
	p := u.policy
	if p == nil || p.NoticeAcknowledged || u.firstRun != nil || u.noticeShown == p.Version {
		return
	}
	if p.Notice == "" {
		return
	}
	u.noticeShown = p.Version
	d, _ := u.noticeDialog(p.Notice, p)
	d.Show()
}

// noticeDialog asks the member to acknowledge notice; acknowledge is
// what its button does.
func (u *UI) noticeDialog(notice string, p *chat.Policy) (d dialog.Dialog, acknowledge func()) {
	acknowledge = func() {
		c := u.core
		u.async(func(ctx context.Context) func() {
			got, err := c.AcknowledgeNotice(ctx)
			return func() {
				if err != nil {
					u.showError(err)
					return
				}
				u.policy = &got
			}
		})
	}
	text := widget.NewLabel(notice)
	text.Wrapping = fyne.TextWrapWord
	from := widget.NewLabel(fmt.Sprintf("The workspace's acceptable-use notice, %s. Your acknowledgement is signed and kept with the workspace's records.", setter(p)))
	from.Wrapping = fyne.TextWrapWord
	body := container.NewBorder(from, nil, nil, nil, container.NewVScroll(text))
	cd := dialog.NewCustomConfirm("Acceptable use", "I acknowledge", "Later", body, func(ok bool) {
		if ok {
			acknowledge()
		}
	}, u.win)
	cd.Resize(fyne.NewSize(560, 420))
	return cd, acknowledge
}

// policySummary is the policy's line in the settings.
func policySummary(p *chat.Policy) string {
	if p == nil {
		return "This workspace has no admins: nothing is set for everyone."
	}
	if p.Version == 0 {
		return "No admin has set a policy: nothing is restricted."
	}
	parts := p.Rules
	if len(parts) == 0 {
		parts = []string{"nothing restricted"}
	}
	return fmt.Sprintf("Version %d, %s: %s. Set by the workspace's admins for everyone; read-only here.", p.Version, setter(p), strings.Join(parts, "; "))
}

func setter(p *chat.Policy) string {
	who := p.SetByName
	if who == "" {
		who = p.SetBy
	}
	if p.SetAt.IsZero() {
		return "set by " + who
	}
	return "set by " + who + " on " + p.SetAt.Local().Format("2 Jan 2006")
}
