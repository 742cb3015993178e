package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// trayApp is a test app with a tray, recording what is put in it.
type trayApp struct {
	fyne.App
	icons  int
	window fyne.Window
	menu   *fyne.Menu
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu)    { a.menu = m }
func (a *trayApp) SetSystemTrayIcon(fyne.Resource)   { a.icons++ }
func (a *trayApp) SetSystemTrayWindow(w fyne.Window) { a.window = w }

func newTrayUI(t *testing.T) (*UI, *trayApp) {
	t.Helper()
	a := &trayApp{App: test.NewTempApp(t)}
	u := newUI(a, a.NewWindow("Hallway"))
	u.tray.host = func(d desktop.App) desktop.App { return d }
	t.Cleanup(func() { u.idle.close() })
	return u, a
}

// Where the desktop can show a tray (Windows, macOS, a Linux session with
// a bus), Hallway's icon, menu and window go in it, and closing the
// window keeps Hallway there.
func TestTraySetUp(t *testing.T) {
	for name, hasTray := range map[string]func() bool{
		"not asked":    nil,
		"desktop says": func() bool { return true },
	} {
		t.Run(name, func(t *testing.T) {
			u, a := newTrayUI(t)
			u.tray.start(hasTray)
			if a.icons != 1 || a.window != u.win || a.menu == nil || len(a.menu.Items) == 0 || !u.tray.keepsRunning() {
				t.Fatalf("icons %d, window set %v, menu %v, keeps running %v; want the tray set up",
					a.icons, a.window == u.win, a.menu, u.tray.keepsRunning())
			}
		})
	}
}

// Where no tray can show (a Linux session without a bus), none is set up
// (the tray's hidden window and its drawing context are not made), and
// closing the window quits: there would be no icon to come back from.
func TestTrayNotSetUp(t *testing.T) {
	u, a := newTrayUI(t)
	asked := false
	u.tray.start(func() bool { asked = true; return false })
	if !asked {
		t.Fatal("the desktop was not asked whether it has a tray")
	}
	u.updateAttention() // refreshes the tray's menu where there is one
	if a.icons != 0 || a.menu != nil || a.window != nil || u.tray.keepsRunning() {
		t.Fatalf("icons %d, menu %v, window %v, keeps running %v; want no tray", a.icons, a.menu, a.window, u.tray.keepsRunning())
	}
}

// An app without a tray (a test driver, a mobile build) asks nothing.
func TestTrayWithoutOne(t *testing.T) {
	a := test.NewTempApp(t)
	u := newUI(a, a.NewWindow("Hallway"))
	defer u.idle.close()
	u.tray.start(func() bool {
		t.Error("the desktop was asked for a tray by an app that has none")
		return false
	})
	if u.tray.keepsRunning() {
		t.Error("closing the window would keep Hallway running with no tray")
	}
}
