package e2e

import (
	"testing"
	"time"

	"hallway/internal/fleet"
	"hallway/internal/netlab"
	"hallway/internal/testproc"

	"github.com/godbus/dbus/v5"
)

// fakeTray plays a desktop's tray on a session bus: it owns the
// StatusNotifierItem watcher's name and tells of each application that
// registers its icon.
type fakeTray struct{ registered chan string }

func (f *fakeTray) RegisterStatusNotifierItem(from dbus.Sender, item string) *dbus.Error {
	select {
	case f.registered <- string(from) + " " + item:
	default:
	}
	return nil
}

// startTray starts a fake tray on the bus at addr.
func startTray(t *testing.T, addr string) *fakeTray {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	f := &fakeTray{registered: make(chan string, 4)}
	if err := conn.Export(f, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own the tray's name: %v, %v", r, err)
	}
	return f
}

// waitRegistered waits for an application's icon in the tray.
func (f *fakeTray) waitRegistered(t *testing.T, within time.Duration) string {
	t.Helper()
	select {
	case who := <-f.registered:
		return who
	case <-time.After(within):
		t.Fatalf("no icon put in the tray within %s", within)
		return ""
	}
}

// TestWindowTray: the real window puts its icon in the desktop's tray
// when the session bus has one, at once or when the desktop's panel
// starts after the window (as at login); with no session bus, where no
// tray can show, it sets none up.
func TestWindowTray(t *testing.T) {
	lab := netlab.New(t, 1)
	fleet.NeedX(t)
	x := fleet.StartX(t, lab.Host(1))

	t.Run("there at start", func(t *testing.T) {
		addr := testproc.SessionBus(t)
		tray := startTray(t, addr)
		w := fleet.NewWindow(t, x, "Ann", "--no-mdns")
		w.Env = append(w.Env, "DBUS_SESSION_BUS_ADDRESS="+addr)
		w.Start()
		defer w.Stop()
		if who := tray.waitRegistered(t, 30*time.Second); who == "" {
			t.Fatal("registered by nobody")
		}
	})
	t.Run("started later", func(t *testing.T) {
		addr := testproc.SessionBus(t)
		w := fleet.NewWindow(t, x, "Bea", "--no-mdns")
		w.Env = append(w.Env, "DBUS_SESSION_BUS_ADDRESS="+addr)
		w.Start()
		defer w.Stop()
		tray := startTray(t, addr)
		tray.waitRegistered(t, 30*time.Second)
	})
	t.Run("no bus", func(t *testing.T) {
		w := fleet.NewWindow(t, x, "Cid", "--no-mdns")
		w.Start()
		defer w.Stop()
		w.WaitLine("no tray icon", 30*time.Second)
	})
}
