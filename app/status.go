package app

import (
	"context"
	"strings"
	"time"

	"hallway/chat"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// statusMenu is the user's own presence: a dot, their name and status,
// and a menu to change it.
type statusMenu struct {
	u   *UI
	obj fyne.CanvasObject
	dot *canvas.Circle
	btn *widget.Button
}

func newStatusMenu(u *UI) *statusMenu {
	s := &statusMenu{u: u, dot: canvas.NewCircle(presenceColor("available"))}
	s.btn = widget.NewButton("Hallway", func() { s.open() })
	s.btn.Alignment = widget.ButtonAlignLeading
	s.btn.Importance = widget.LowImportance
	s.obj = container.NewBorder(nil, nil, container.NewCenter(container.NewGridWrap(fyne.NewSize(12, 12), s.dot)), nil, s.btn)
	return s
}

func (u *UI) statusObj() fyne.CanvasObject {
	if u.status == nil {
		u.status = newStatusMenu(u)
	}
	return u.status.obj
}

func (s *statusMenu) refresh() {
	me := s.u.self
	label := me.Name
	if label == "" {
		label = "Hallway"
	}
	st := me.Status
	if me.StatusText != "" {
		st += " — " + me.StatusText
	}
	if st != "" {
		label += " · " + st
	}
	if dnd := s.u.prefs.DoNotDisturbUntil; s.u.now().Before(dnd) {
		label += " · 🔕 until " + dnd.Local().Format("15:04")
	}
	s.btn.SetText(label + " ▾")
	s.dot.FillColor = presenceColor(me.Status)
	s.dot.Refresh()
}

func (s *statusMenu) open() {
	u := s.u
	items := []*fyne.MenuItem{}
	for _, st := range []string{"available", "away", "busy"} {
		it := fyne.NewMenuItem(strings.ToUpper(st[:1])+st[1:], func() { u.setStatus(st, u.self.StatusText, false) })
		it.Checked = u.self.Status == st
		items = append(items, it)
	}
	items = append(items, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Set a status message…", func() { u.askStatusText() }),
		fyne.NewMenuItem("Clear the status message", func() { u.setStatus(u.self.Status, "", false) }),
		fyne.NewMenuItemSeparator())
	now := u.now()
	if now.Before(u.prefs.DoNotDisturbUntil) {
		items = append(items, fyne.NewMenuItem("Turn notifications back on", func() { u.setDoNotDisturb(time.Time{}) }))
	} else {
		items = append(items,
			fyne.NewMenuItem("Do not disturb for 1 hour", func() { u.setDoNotDisturb(now.Add(time.Hour)) }),
			fyne.NewMenuItem("Do not disturb until tomorrow", func() { u.setDoNotDisturb(chat.TomorrowMorning(now)) }))
	}
	c := u.win.Canvas()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.btn).AddXY(0, s.btn.Size().Height)
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, pos)
}

// setDoNotDisturb silences notifications until until (zero: ends it).
func (u *UI) setDoNotDisturb(until time.Time) {
	u.async(func(ctx context.Context) func() {
		err := u.core.DoNotDisturb(ctx, until)
		return func() { u.showError(err) }
	})
}

// setStatus changes presence; auto tells whether the idle timer did it.
func (u *UI) setStatus(status, text string, auto bool) {
	if u.core == nil {
		return
	}
	u.autoAway = auto && status == "away"
	u.async(func(ctx context.Context) func() {
		err := u.core.SetStatus(ctx, status, text)
		return func() { u.showError(err) }
	})
}

func (u *UI) askStatusText() {
	e := widget.NewEntry()
	e.SetText(u.self.StatusText)
	e.SetPlaceHolder("e.g. in a meeting until 3")
	dialog.ShowForm("Status message", "Set", "Cancel", []*widget.FormItem{widget.NewFormItem("Message", e)}, func(ok bool) {
		if ok {
			u.setStatus(u.self.Status, strings.TrimSpace(e.Text), false)
		}
	}, u.win)
}

// idleChanged is the idle tracker's verdict: after ten idle minutes (or
// when the screen locks) an available user shows as away, and comes back
// on the next activity. Busy and a status the user picked, here or with
// `hallway status`, are never changed.
func (u *UI) idleChanged(idle bool) {
	onUI(func() {
		switch {
		case idle && u.self.Status == "available":
			u.setStatus("away", u.self.StatusText, true)
		case !idle && u.autoAway && u.self.Status == "away":
			u.setStatus("available", u.self.StatusText, false)
		}
	})
}

// useIdle makes the idle tracker read src, the desktop's idle clock, as
// well as the window's input; nil keeps the window's input only.
func (u *UI) useIdle(src IdleSource) {
	u.idle.close()
	u.idle = newIdleTracker(realClock{}, idleAfter, src, u.idleChanged)
}

// idleLine says in the settings where the idle time comes from.
func (u *UI) idleLine() string {
	switch {
	case u.idle.tellsLock():
		return idleFromDesktopLine
	case u.idle.fromDesktop():
		return idleFromDesktopNoLockLine
	}
	return idleFromWindowLine
}

// activity is any sign that the user is at the window.
func (u *UI) activity() {
	u.idle.activity()
}
