package e2e

import (
	"io"
	"log"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
	"hallway/internal/testproc"

	"github.com/godbus/dbus/v5"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// fakeTray plays a desktop's tray on a session bus: it owns the
// StatusNotifierItem watcher's name, tells of each application that
// registers its icon, and opens their menus (the dbusmenu protocol).
type fakeTray struct {
	conn       *dbus.Conn
	registered chan dbus.Sender
}

func (f *fakeTray) RegisterStatusNotifierItem(from dbus.Sender, item string) *dbus.Error {
	select {
	case f.registered <- from:
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
	f := &fakeTray{conn: conn, registered: make(chan dbus.Sender, 4)}
	if err := conn.Export(f, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own the tray's name: %v, %v", r, err)
	}
	return f
}

// waitRegistered waits for an application's icon in the tray and returns
// the application's name on the bus.
func (f *fakeTray) waitRegistered(t *testing.T, within time.Duration) dbus.Sender {
	t.Helper()
	select {
	case who := <-f.registered:
		return who
	case <-time.After(within):
		t.Fatalf("no icon put in the tray within %s", within)
		return ""
	}
}

// trayItem is one entry of an application's tray menu.
type trayItem struct {
	id      int32
	checked bool
}

// menuOf finds app's tray menu, as a tray does: through its icon's Menu
// property.
func (f *fakeTray) menuOf(t *testing.T, app dbus.Sender) dbus.BusObject {
	t.Helper()
	v, err := f.conn.Object(string(app), "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		t.Fatalf("the icon's menu: %v", err)
	}
	path, ok := v.Value().(dbus.ObjectPath)
	if !ok {
		t.Fatalf("the icon's menu is %v", v)
	}
	return f.conn.Object(string(app), path)
}

// menu reads app's tray menu: its entries by label.
func (f *fakeTray) menu(t *testing.T, app dbus.Sender) map[string]trayItem {
	t.Helper()
	var rev uint32
	var root []any
	err := f.menuOf(t, app).
		Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root)
	if err != nil || len(root) != 3 {
		t.Fatalf("read the tray menu: %v (%d parts)", err, len(root))
	}
	items := map[string]trayItem{}
	children, _ := root[2].([]dbus.Variant)
	for _, c := range children {
		parts, _ := c.Value().([]any)
		if len(parts) != 3 {
			t.Fatalf("menu entry %v", c)
		}
		id, _ := parts[0].(int32)
		props, _ := parts[1].(map[string]dbus.Variant)
		label, _ := props["label"].Value().(string)
		state, _ := props["toggle-state"].Value().(int32)
		if label != "" {
			items[label] = trayItem{id: id, checked: state == 1}
		}
	}
	return items
}

// click clicks the entry labelled label in app's tray menu.
func (f *fakeTray) click(t *testing.T, app dbus.Sender, label string) {
	t.Helper()
	it, ok := f.menu(t, app)[label]
	if !ok {
		t.Fatalf("no %q in the tray menu %v", label, f.menu(t, app))
	}
	err := f.menuOf(t, app).
		Call("com.canonical.dbusmenu.Event", 0, it.id, "clicked", dbus.MakeVariant(""), uint32(0)).Err
	if err != nil {
		t.Fatalf("click %q: %v", label, err)
	}
}

// windowNames lists the names of the X windows on display.
func windowNames(t *testing.T, display string) []string {
	t.Helper()
	xgb.Logger = log.New(io.Discard, "", 0)
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tree, err := xproto.QueryTree(c, xproto.Setup(c).DefaultScreen(c).Root).Reply()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range tree.Children {
		p, err := xproto.GetProperty(c, false, w, xproto.AtomWmName, xproto.GetPropertyTypeAny, 0, 256).Reply()
		if err == nil && p.ValueLen > 0 {
			names = append(names, string(p.Value))
		}
	}
	return names
}

// TestWindowTray: the real window puts its icon and menu in the desktop's
// tray when the session has a bus, whether the tray is there first or
// starts after the window (as at login), and the menu works: a status
// picked there is the user's, Quit quits. It needs no hidden window for
// it. With no session bus, where no tray can show, it sets none up.
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
		app := tray.waitRegistered(t, 30*time.Second)
		// The menu is set again once the window knows the user's status.
		w.WaitFor("the tray's menu marking available", 30*time.Second, func() bool { return tray.menu(t, app)["Status: available"].checked })
		menu := tray.menu(t, app)
		for _, label := range []string{"No unread messages", "Open Hallway", "Status: away", "Quit Hallway"} {
			if _, ok := menu[label]; !ok {
				t.Errorf("no %q in the tray menu %v", label, menu)
			}
		}
		if menu["Status: away"].checked || menu["Status: busy"].checked {
			t.Errorf("tray menu's status marks: %v; want available alone", menu)
		}
		for _, name := range windowNames(t, x.Display) {
			if strings.Contains(name, "Systray") {
				t.Errorf("a hidden window %q beside the window for the tray", name)
			}
		}

		tray.click(t, app, "Status: away")
		status := func() string { return fleet.Decode[chat.Self](t, w.CLI("id", "--json")).Status }
		w.WaitFor("away, picked in the tray", 30*time.Second, func() bool { return status() == "away" })
		w.WaitFor("the tray's menu marking away", 30*time.Second, func() bool { return tray.menu(t, app)["Status: away"].checked })

		tray.click(t, app, "Quit Hallway")
		w.WaitExit(30 * time.Second)
	})
	t.Run("started later", func(t *testing.T) {
		addr := testproc.SessionBus(t)
		w := fleet.NewWindow(t, x, "Bea", "--no-mdns")
		w.Env = append(w.Env, "DBUS_SESSION_BUS_ADDRESS="+addr)
		w.Start()
		defer w.Stop()
		tray := startTray(t, addr)
		app := tray.waitRegistered(t, 30*time.Second)
		if _, ok := tray.menu(t, app)["Open Hallway"]; !ok {
			t.Errorf("tray menu %v", tray.menu(t, app))
		}
	})
	t.Run("no bus", func(t *testing.T) {
		w := fleet.NewWindow(t, x, "Cid", "--no-mdns")
		w.Start()
		defer w.Stop()
		w.WaitLine("no tray icon", 30*time.Second)
	})
}
