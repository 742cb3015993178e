package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hallway/chat"
)

// The "Why can't I see…" panel: what hallway doctor says, for people. One
// line per colleague (✓ or ✗, the name, the verdict with its fix), this
// computer's side first when something is wrong with it.

// showDoctor asks the node why colleagues are or are not reachable.
func (u *UI) showDoctor() {
	u.async(func(ctx context.Context) func() {
		d, err := u.core.Doctor(ctx, "")
		return func() {
			if err != nil {
				u.showError(err)
				return
			}
			u.doctorDialog(d).Show()
		}
	})
}

// doctorDialog lays a diagnosis out.
func (u *UI) doctorDialog(d chat.Diagnosis) dialog.Dialog {
	rows := container.NewVBox()
	if d.Node.Verdict != "" {
		rows.Add(wrapped("⚠ This computer: " + d.Node.Verdict))
	}
	if len(d.Colleagues) == 0 {
		rows.Add(wrapped("No colleague found yet. Colleagues on another subnet join with an invite code made on a running Hallway (Settings → Show invite), or are added by their computer's name."))
	}
	for _, c := range d.Colleagues {
		mark := "✓"
		if c.Cause != chat.CauseNone {
			mark = "✗"
		}
		name := widget.NewLabelWithStyle(mark+" "+c.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		rows.Add(container.NewVBox(name, wrapped(c.Verdict)))
	}
	dlg := dialog.NewCustom("Why can't I see…", "Close", container.NewVScroll(rows), u.win)
	dlg.Resize(fyne.NewSize(560, 480))
	return dlg
}

// wrapped is a label that wraps at word boundaries.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}
