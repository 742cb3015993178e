//go:build linux

package desktop

import "testing"

// A session with a bus can show a tray icon, now or once its panel
// starts.
func TestTrayOnSessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", startBus(t))
	if ok, why := HasTray(); !ok {
		t.Fatalf("HasTray on a session bus = false, %q", why)
	}
}

// Without a session bus no tray can show an icon; the bus is not
// launched to ask.
func TestTrayWithoutBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if ok, why := HasTray(); ok || why == "" {
		t.Fatalf("HasTray without a bus = %v, %q; want false and why", ok, why)
	}
}

// A bus address left behind by a session that ended is no bus.
func TestTrayOnDeadBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/gone")
	if ok, why := HasTray(); ok || why == "" {
		t.Fatalf("HasTray on a dead bus = %v, %q; want false and why", ok, why)
	}
}
