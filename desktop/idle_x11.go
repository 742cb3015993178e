//go:build linux || freebsd || openbsd || netbsd || dragonfly

package desktop

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/screensaver"
	"github.com/jezek/xgb/xproto"
)

func openIdle() (Idle, string) {
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		return openWaylandSession()
	}
	d := os.Getenv("DISPLAY")
	if d == "" {
		return nil, "no X display"
	}
	x, err := OpenX11(d)
	if err != nil {
		return nil, err.Error()
	}
	return x, ""
}

// openWaylandSession finds the idle time on a Wayland session. XWayland's
// counter sees only input to X windows: it would show a user typing in
// native Wayland windows as idle. The desktop's services on the session
// bus (GNOME, KDE) come first, as they also tell the lock; then the
// compositor's own idle protocol (sway and other wlroots compositors).
func openWaylandSession() (Idle, string) {
	var busWhy string
	if conn, err := dbus.ConnectSessionBus(); err != nil {
		busWhy = "no session bus: " + err.Error()
	} else if d, err := OpenDBus(conn); err != nil {
		conn.Close()
		busWhy = err.Error()
	} else {
		return d, ""
	}
	socket, err := waylandSocket()
	if err == nil {
		var w *Wayland
		if w, err = OpenWayland(socket, WaylandThreshold); err == nil {
			return w, ""
		}
	}
	return nil, "a Wayland session: " + busWhy + "; " + err.Error()
}

var quietXGB sync.Once

// X11 reads the idle time and the screen saver's state of an X display
// through the MIT-SCREEN-SAVER extension; screen lockers on X turn the
// saver on while they lock.
type X11 struct {
	mu   sync.Mutex // one request at a time
	conn *xgb.Conn
	root xproto.Window
}

// OpenX11 connects to display (":0") and checks that it has the
// screen-saver extension.
func OpenX11(display string) (*X11, error) {
	quietXGB.Do(func() { xgb.Logger = log.New(io.Discard, "", 0) })
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("connect to X display %s: %w", display, err)
	}
	if err := screensaver.Init(c); err != nil {
		c.Close()
		return nil, fmt.Errorf("X display %s has no screen-saver extension: %w", display, err)
	}
	setup := xproto.Setup(c)
	if setup == nil || len(setup.Roots) == 0 {
		c.Close()
		return nil, errors.New("X display " + display + " has no screen")
	}
	x := &X11{conn: c, root: setup.DefaultScreen(c).Root}
	if _, _, err := x.Idle(); err != nil {
		c.Close()
		return nil, err
	}
	return x, nil
}

// Idle asks the X server.
func (x *X11) Idle() (time.Duration, bool, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	r, err := screensaver.QueryInfo(x.conn, xproto.Drawable(x.root)).Reply()
	if err != nil {
		return 0, false, fmt.Errorf("ask X for the idle time: %w", err)
	}
	if r == nil {
		return 0, false, errors.New("ask X for the idle time: the connection closed")
	}
	return time.Duration(r.MsSinceUserInput) * time.Millisecond, r.State == screensaver.StateOn, nil
}

// Close closes the connection.
func (x *X11) Close() { x.conn.Close() }
