package app

import (
	"fmt"

	"hallway/assets"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// tray is the system tray icon where the desktop has one: the unread
// count, quick status and quit. Closing the window then keeps Hallway
// running there.
type tray struct {
	u    *UI
	desk desktop.App
	// host is where the tray shows, given Fyne's: the platform's
	// (nativeTray) unless a test says otherwise.
	host func(fyne desktop.App) desktop.App
}

func newTray(u *UI) *tray { return &tray{u: u, host: nativeTray} }

// start sets the tray up where the desktop can show one (hasTray says,
// nil: it can).
func (t *tray) start(hasTray func() bool) {
	d, ok := t.u.app.(desktop.App)
	if !ok || (hasTray != nil && !hasTray()) {
		return
	}
	t.desk = t.host(d)
	t.desk.SetSystemTrayIcon(fyne.NewStaticResource("hallway.png", assets.Icon))
	t.desk.SetSystemTrayWindow(t.u.win)
	t.refresh()
}

// stop takes the icon out of the tray as the window ends, where the
// tray's host does not do it itself.
func (t *tray) stop() {
	if c, ok := t.desk.(interface{ close() }); ok {
		c.close()
	}
}

func (t *tray) refresh() {
	if t.desk == nil {
		return
	}
	u := t.u
	n := u.totalUnread()
	unread := "No unread messages"
	if n > 0 {
		unread = fmt.Sprintf("%d unread", n)
	}
	info := fyne.NewMenuItem(unread, nil)
	info.Disabled = true
	open := fyne.NewMenuItem("Open Hallway", func() { u.win.Show(); u.win.RequestFocus() })
	var statuses []*fyne.MenuItem
	for _, st := range []string{"available", "away", "busy"} {
		it := fyne.NewMenuItem("Status: "+st, func() { u.setStatus(st, u.self.StatusText, false) })
		it.Checked = u.self.Status == st
		statuses = append(statuses, it)
	}
	items := append([]*fyne.MenuItem{info, open, fyne.NewMenuItemSeparator()}, statuses...)
	quit := fyne.NewMenuItem("Quit Hallway", func() { u.app.Quit() })
	quit.IsQuit = true
	items = append(items, fyne.NewMenuItemSeparator(), quit)
	t.desk.SetSystemTrayMenu(fyne.NewMenu("Hallway", items...))
}

// keepsRunning tells whether closing the window leaves Hallway in the
// tray: only when there is a tray to come back from.
func (t *tray) keepsRunning() bool { return t.desk != nil }

// updateAttention shows the unread count in the title and the tray.
func (u *UI) updateAttention() {
	title := "Hallway"
	if n := u.totalUnread(); n > 0 {
		title = fmt.Sprintf("Hallway (%d)", n)
	}
	u.win.SetTitle(title)
	u.tray.refresh()
}

// notify shows a desktop notification for something the user has not
// seen: never for their own messages, never while busy, only when the
// window is not in front, and only if notifications are on. Loud ones
// (a warning) show even while busy or in front.
func (u *UI) notify(title, body string, loud bool) {
	if !u.prefs.Notifications {
		return
	}
	if !loud && (u.self.Status == "busy" || u.focused) {
		return
	}
	if len([]rune(body)) > 200 {
		body = string([]rune(body)[:199]) + "…"
	}
	u.app.SendNotification(fyne.NewNotification(title, body))
}

// focusChanged follows whether the window is in front.
func (u *UI) focusChanged(focused bool) {
	u.focused = focused
	if focused {
		u.activity()
		u.markRead()
	}
}
