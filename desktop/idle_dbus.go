//go:build linux || freebsd || openbsd || netbsd || dragonfly

package desktop

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

// busTimeout bounds one question to the session bus.
const busTimeout = 2 * time.Second

// A question to a desktop service on the session bus.
type busCall struct{ dest, path, method string }

// Who tells the idle time on a Wayland session: GNOME's Mutter in
// milliseconds, KDE's screen saver service in seconds.
var (
	mutterIdle = busCall{"org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core", "org.gnome.Mutter.IdleMonitor.GetIdletime"}
	kdeIdle    = busCall{"org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver.GetSessionIdleTime"}
	gnomeLock  = busCall{"org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver.GetActive"}
	fdoLock    = busCall{"org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver.GetActive"}
)

// DBus reads the idle time and the lock from the desktop's services on
// the session bus: what a Wayland session offers a client that is not
// the compositor, on GNOME and KDE.
type DBus struct {
	conn *dbus.Conn
	idle busCall
	lock *busCall // nil: nobody tells
}

// OpenDBus finds the services on conn that tell the idle time and the
// lock; it fails when none tells the idle time. The DBus owns conn.
func OpenDBus(conn *dbus.Conn) (*DBus, error) {
	d := &DBus{conn: conn}
	for _, c := range []busCall{mutterIdle, kdeIdle} {
		d.idle = c
		if _, err := d.idleTime(); err == nil {
			break
		}
		d.idle = busCall{}
	}
	if d.idle == (busCall{}) {
		return nil, errors.New("no desktop service on the session bus tells the idle time (GNOME and KDE do)")
	}
	for _, c := range []busCall{gnomeLock, fdoLock} {
		var on bool
		if d.ask(c, &on) == nil {
			d.lock = &c
			break
		}
	}
	return d, nil
}

func (d *DBus) ask(c busCall, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
	defer cancel()
	return d.conn.Object(c.dest, dbus.ObjectPath(c.path)).CallWithContext(ctx, c.method, dbus.FlagNoAutoStart).Store(out)
}

func (d *DBus) idleTime() (time.Duration, error) {
	if d.idle == mutterIdle {
		var ms uint64
		err := d.ask(d.idle, &ms)
		return time.Duration(ms) * time.Millisecond, err
	}
	var s uint32
	err := d.ask(d.idle, &s)
	return time.Duration(s) * time.Second, err
}

// Idle asks the desktop's services.
func (d *DBus) Idle() (time.Duration, bool, error) {
	since, err := d.idleTime()
	if err != nil {
		return 0, false, fmt.Errorf("ask the desktop for the idle time: %w", err)
	}
	var locked bool
	if d.lock != nil && d.ask(*d.lock, &locked) != nil {
		locked = false
	}
	return since, locked, nil
}

// TellsLock tells whether a service on the bus tells the lock.
func (d *DBus) TellsLock() bool { return d.lock != nil }

// Close closes the bus connection.
func (d *DBus) Close() { d.conn.Close() }
