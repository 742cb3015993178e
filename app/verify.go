package app

import (
	"context"
	"strings"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// showVerify opens the verify dialog of a colleague: the pair's safety
// number and QR code to compare in person, and the verified mark.
func (u *UI) showVerify(peer string) {
	if peer == "" {
		return
	}
	u.async(func(ctx context.Context) func() {
		t, err := u.core.TrustOf(ctx, peer)
		return func() {
			if err != nil {
				u.showError(err)
				return
			}
			u.verifyDialog(t).Show()
		}
	})
}

func (u *UI) verifyDialog(t chat.Trust) dialog.Dialog {
	var d dialog.Dialog
	intro := widget.NewLabel("Meet " + t.Name + " and compare this number with the one their Hallway shows for you " +
		"(or let them look at the code). If every digit matches, nobody stands between you.")
	intro.Wrapping = fyne.TextWrapWord
	number := widget.NewLabel(safetyRows(t.SafetyNumber))
	number.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
	number.Alignment = fyne.TextAlignCenter
	fp := widget.NewLabel("Their fingerprint: " + t.Fingerprint)
	fp.SizeName = theme.SizeNameCaptionText
	status := widget.NewLabel("Not verified yet.")
	if t.Verified {
		status.SetText("✔ Verified on " + t.VerifiedAt.Local().Format("2 January 2006") + ".")
		status.Importance = widget.SuccessImportance
		if t.VerifiedName != "" && t.VerifiedName != t.Name {
			status.SetText(status.Text + " They were called " + t.VerifiedName + " then.")
		}
	}
	items := []fyne.CanvasObject{intro, container.NewCenter(qrObject("hallway-safety:"+strings.ReplaceAll(t.SafetyNumber, " ", ""), 180)),
		number, fp, status}
	if t.Warning != nil {
		w := widget.NewLabel("⚠ " + t.Warning.Message)
		w.Wrapping = fyne.TextWrapWord
		w.Importance = widget.DangerImportance
		items = append([]fyne.CanvasObject{w}, items...)
	}
	set := func(v bool) {
		d.Hide()
		u.async(func(ctx context.Context) func() {
			_, err := u.core.Verify(ctx, t.PeerID, v)
			return func() { u.showError(err) }
		})
	}
	var action *widget.Button
	if t.Verified {
		action = widget.NewButton("Remove verification", func() { set(false) })
	} else {
		action = widget.NewButtonWithIcon("The numbers match: mark verified", theme.ConfirmIcon(), func() { set(true) })
		action.Importance = widget.HighImportance
	}
	closeBtn := widget.NewButton("Close", func() { d.Hide() })
	content := container.NewVBox(items...)
	d = dialog.NewCustomWithoutButtons("Verify "+t.Name, content, u.win)
	d.(*dialog.CustomDialog).SetButtons([]fyne.CanvasObject{closeBtn, action})
	d.Resize(fyne.NewSize(520, 560))
	return d
}

// safetyRows lays twelve groups out as three rows of four.
func safetyRows(n string) string {
	g := strings.Fields(n)
	var rows []string
	for i := 0; i < len(g); i += 4 {
		rows = append(rows, strings.Join(g[i:min(i+4, len(g))], "  "))
	}
	return strings.Join(rows, "\n")
}
