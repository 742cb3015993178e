package app

import (
	"fmt"
	"image/color"
	"sort"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// banner is a strip above the conversation: errors and notices the user
// can dismiss, or a standing warning.
type banner struct {
	obj   *fyne.Container
	bg    *canvas.Rectangle
	text  *onColourLabel
	close *widget.Button
}

var (
	errorColor   = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	warningColor = color.NRGBA{R: 0xb7, G: 0x1c, B: 0x1c, A: 0xff}
	noticeColor  = color.NRGBA{R: 0x3b, G: 0x6e, B: 0xa8, A: 0xff}
)

func newBanner() *banner {
	b := &banner{bg: canvas.NewRectangle(errorColor), text: newOnColourLabel(false)}
	b.close = widget.NewButtonWithIcon("", theme.NewColoredResource(theme.CancelIcon(), colorNameOnColour), func() { b.obj.Hide() })
	b.close.Importance = widget.LowImportance
	b.obj = container.NewStack(b.bg, container.NewBorder(nil, nil, nil, b.close, b.text.obj))
	b.obj.Hide()
	return b
}

func (b *banner) show(msg string, isError bool) {
	b.bg.FillColor = noticeColor
	if isError {
		b.bg.FillColor = errorColor
	}
	b.text.SetText(msg)
	b.bg.Refresh()
	b.obj.Show()
	b.obj.Refresh()
}

// updateWarningBanner shows a standing warning while any colleague uses a
// name that belongs to a colleague the user verified.
func (u *UI) updateWarningBanner() {
	var names []string
	for _, t := range u.trusts {
		if t.Warning != nil && t.Warning.Kind == chat.WarnImpersonation {
			names = append(names, fmt.Sprintf("%q", t.Warning.Name))
		}
	}
	sort.Strings(names)
	defer u.sidebar.top.Refresh()
	switch len(names) {
	case 0:
		u.sidebar.warn.Hide()
	case 1:
		u.sidebar.warnText.SetText("⚠ Someone calls themselves " + names[0] + " with a key that is not the one you verified.")
		u.sidebar.warn.Show()
	default:
		u.sidebar.warnText.SetText(fmt.Sprintf("⚠ %d colleagues use the names of people you verified, with other keys.", len(names)))
		u.sidebar.warn.Show()
	}
}
