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

// policySummary is the policy's line in the settings, with the
// workspace's admins.
func policySummary(p *chat.Policy) string {
	if p == nil {
		return "This workspace has no admins: nothing is set for everyone."
	}
	line := "No admin has set a policy: nothing is restricted."
	if p.Version > 0 {
		parts := p.Rules
		if len(parts) == 0 {
			parts = []string{"nothing restricted"}
		}
		line = fmt.Sprintf("Version %d, %s: %s. Set by the workspace's admins for everyone; read-only here.", p.Version, setter(p), strings.Join(parts, "; "))
	}
	return line + adminsLine(p.Admins)
}

// adminsLine names the admins, and asks for a second one while there is
// one: a workspace whose only admin is away or gone cannot change its
// policy, admit anyone or revoke anyone.
func adminsLine(admins []chat.Colleague) string {
	if len(admins) == 0 {
		return ""
	}
	names := make([]string, len(admins))
	for i, a := range admins {
		names[i] = a.Name
		if names[i] == "" {
			names[i] = a.PeerID
		}
	}
	line := "\nAdmins: " + strings.Join(names, ", ") + "."
	if len(admins) == 1 {
		line += " A second admin is recommended (hallway admin add PEER): with one, nobody can change the policy, admit or revoke anyone while " + names[0] + " is away."
	}
	return line
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
