//go:build linux

package desktop

import (
	"sync"
	"testing"
	"time"

	"hallway/internal/testproc"

	"github.com/godbus/dbus/v5"
)

// startBus runs a private session bus and returns its address.
func startBus(t *testing.T) string { return testproc.SessionBus(t) }

func connect(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	c, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fakeMutter plays GNOME Shell: Mutter's idle monitor and the screen
// saver service.
type fakeMutter struct {
	mu     sync.Mutex
	idleMs uint64
	locked bool
}

func (f *fakeMutter) GetIdletime() (uint64, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.idleMs, nil
}

func (f *fakeMutter) GetActive() (bool, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.locked, nil
}

func serve(t *testing.T, c *dbus.Conn, v any, name, path, iface string) {
	t.Helper()
	if err := c.Export(v, dbus.ObjectPath(path), iface); err != nil {
		t.Fatal(err)
	}
	if r, err := c.RequestName(name, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", name, r, err)
	}
}

// On a GNOME Wayland session the source asks Mutter for the idle time and
// GNOME's screen saver for the lock, over the session bus.
func TestDBusIdleGNOME(t *testing.T) {
	addr := startBus(t)
	shell := connect(t, addr)
	defer shell.Close()
	f := &fakeMutter{idleMs: 90_000}
	serve(t, shell, f, mutterIdle.dest, mutterIdle.path, "org.gnome.Mutter.IdleMonitor")
	serve(t, shell, f, gnomeLock.dest, gnomeLock.path, "org.gnome.ScreenSaver")

	src, err := OpenDBus(connect(t, addr))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if since, locked, err := src.Idle(); err != nil || since != 90*time.Second || locked {
		t.Fatalf("idle %v locked %v err %v", since, locked, err)
	}
	f.mu.Lock()
	f.idleMs, f.locked = 20, true
	f.mu.Unlock()
	if since, locked, err := src.Idle(); err != nil || since != 20*time.Millisecond || !locked {
		t.Fatalf("locked: idle %v locked %v err %v", since, locked, err)
	}
}

// fakeKDE plays KDE's org.freedesktop.ScreenSaver: idle seconds and lock.
type fakeKDE struct{}

func (fakeKDE) GetSessionIdleTime() (uint32, *dbus.Error) { return 42, nil }
func (fakeKDE) GetActive() (bool, *dbus.Error)            { return true, nil }

// On KDE the freedesktop screen saver service tells both.
func TestDBusIdleKDE(t *testing.T) {
	addr := startBus(t)
	shell := connect(t, addr)
	defer shell.Close()
	serve(t, shell, fakeKDE{}, kdeIdle.dest, kdeIdle.path, "org.freedesktop.ScreenSaver")
	src, err := OpenDBus(connect(t, addr))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if since, locked, err := src.Idle(); err != nil || since != 42*time.Second || !locked {
		t.Fatalf("idle %v locked %v err %v", since, locked, err)
	}
}

// A bus where nobody tells the idle time gives no source.
func TestDBusIdleNobodyTells(t *testing.T) {
	c := connect(t, startBus(t))
	defer c.Close()
	if src, err := OpenDBus(c); err == nil || src != nil {
		t.Fatalf("source %v err %v", src, err)
	}
}
