//go:build linux || freebsd || openbsd || netbsd || dragonfly

package desktop

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// WaylandThreshold is the quiet time after which the compositor tells
// OpenIdle's Wayland source that the user is idle. Below it the source
// reports 0, so it serves an "away after" of WaylandThreshold or longer
// (the window's is ten minutes).
const WaylandThreshold = time.Minute

// waylandTimeout bounds connecting and the round trips of the setup.
const waylandTimeout = 5 * time.Second

// The object ids the source gives out, in the order it creates them;
// wl_display is always 1.
const (
	idDisplay = 1 + iota
	idRegistry
	idSync1
	idSeat
	idNotifier
	idNotification
	idSync2
)

// The idle protocols, newest first: ext-idle-notify-v1 (wlroots 0.17 and
// later, sway 1.8, KWin, Mutter 45) and KDE's older protocol, which
// wlroots 0.15 (sway 1.7) offers.
const (
	extIdleNotifier = "ext_idle_notifier_v1"
	kdeIdleTimeout  = "org_kde_kwin_idle"
)

// Wayland reads the idle time from the compositor's idle protocol. The
// protocol gives events, not a clock: the source keeps one notification
// for its threshold and reports, once the compositor says idled, the
// threshold plus the time since, and 0 before that and after resumed. A
// Wayland client cannot learn whether the screen is locked (no protocol
// tells one that is not the locker), so locked is always false.
type Wayland struct {
	conn      net.Conn
	threshold time.Duration
	done      chan struct{} // closed when the reader ends

	mu      sync.Mutex
	idledAt time.Time // zero: not idle
	err     error     // set: the source has ended
}

var errWaylandClosed = errors.New("the Wayland idle source is closed")

// waylandSocket is the compositor's socket: WAYLAND_DISPLAY, a path of
// its own or a name in XDG_RUNTIME_DIR.
func waylandSocket() (string, error) {
	d := os.Getenv("WAYLAND_DISPLAY")
	if d == "" {
		d = "wayland-0"
	}
	if filepath.IsAbs(d) {
		return d, nil
	}
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		return "", errors.New("XDG_RUNTIME_DIR is not set, so the Wayland socket cannot be found")
	}
	return filepath.Join(dir, d), nil
}

// OpenWayland connects to the compositor's socket and asks it to tell
// when the user has been idle for threshold (whole milliseconds, at
// least one). It fails when the compositor offers no idle protocol.
func OpenWayland(socket string, threshold time.Duration) (*Wayland, error) {
	return openWayland(socket, threshold, nil)
}

// openWayland is OpenWayland that also calls changed on each idled (true)
// and resumed (false), from the reader.
func openWayland(socket string, threshold time.Duration, changed func(idle bool)) (*Wayland, error) {
	ms := threshold.Milliseconds()
	if ms < 1 || ms > 1<<32-1 {
		return nil, fmt.Errorf("a Wayland idle threshold of %v", threshold)
	}
	conn, err := net.DialTimeout("unix", socket, waylandTimeout)
	if err != nil {
		return nil, fmt.Errorf("connect to the Wayland compositor: %w", err)
	}
	w := &Wayland{conn: conn, threshold: threshold, done: make(chan struct{})}
	c := &wlClient{onIdle: func(idle bool) {
		w.set(idle)
		if changed != nil {
			changed(idle)
		}
	}}
	r := bufio.NewReaderSize(conn, wlMaxMessage)
	if err := w.setup(c, r, uint32(ms)); err != nil {
		conn.Close()
		return nil, err
	}
	go w.read(c, r)
	return w, nil
}

func (w *Wayland) setup(c *wlClient, r *bufio.Reader, ms uint32) error {
	w.conn.SetDeadline(time.Now().Add(waylandTimeout))
	registry := wlMessage{obj: idDisplay, op: 1} // wl_display.get_registry
	registry.putUint(idRegistry)
	if err := c.roundTrip(w.conn, r, idSync1, registry); err != nil {
		return err
	}
	if c.seat.name == 0 {
		return errors.New("the Wayland compositor offers no seat")
	}
	bindSeat := c.bind(c.seat, "wl_seat", 1, idSeat)
	var bindIdle, watch wlMessage
	switch {
	case c.notifier.name != 0:
		// Version 2 adds notifications of input only, which idle
		// inhibitors (a playing video) do not hold back, as X11 and
		// GNOME count it.
		v := min(c.notifier.version, 2)
		bindIdle = c.bind(c.notifier, extIdleNotifier, v, idNotifier)
		watch = wlMessage{obj: idNotifier, op: 1} // get_idle_notification
		if v >= 2 {
			watch.op = 2 // get_input_idle_notification
		}
		watch.putUint(idNotification).putUint(ms).putUint(idSeat)
	case c.kde.name != 0:
		bindIdle = c.bind(c.kde, kdeIdleTimeout, 1, idNotifier)
		watch = wlMessage{obj: idNotifier, op: 0} // get_idle_timeout
		watch.putUint(idNotification).putUint(idSeat).putUint(ms)
	default:
		return errors.New("the Wayland compositor offers no idle protocol (" + extIdleNotifier + " or " + kdeIdleTimeout + ")")
	}
	if err := c.roundTrip(w.conn, r, idSync2, bindSeat, bindIdle, watch); err != nil {
		return err
	}
	return w.conn.SetDeadline(time.Time{})
}

// read handles events until the connection ends or breaks the protocol.
func (w *Wayland) read(c *wlClient, r *bufio.Reader) {
	defer close(w.done)
	for {
		m, err := readMessage(r)
		if err == nil {
			err = c.dispatch(m)
		}
		if err != nil {
			w.mu.Lock()
			if w.err == nil {
				w.err = fmt.Errorf("read the Wayland compositor's idle events: %w", err)
			}
			w.mu.Unlock()
			return
		}
	}
}

func (w *Wayland) set(idle bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !idle {
		w.idledAt = time.Time{}
	} else if w.idledAt.IsZero() {
		w.idledAt = time.Now()
	}
}

// Idle is at least the threshold plus the time since the compositor said
// idled, or 0 while it has not (or has said resumed since).
func (w *Wayland) Idle() (time.Duration, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.err != nil:
		return 0, false, w.err
	case w.idledAt.IsZero():
		return 0, false, nil
	}
	return w.threshold + time.Since(w.idledAt), false, nil
}

// TellsLock is false: no Wayland protocol tells a client the lock.
func (w *Wayland) TellsLock() bool { return false }

// Close closes the connection and waits for the reader to end.
func (w *Wayland) Close() {
	w.mu.Lock()
	if w.err == nil {
		w.err = errWaylandClosed
	}
	w.mu.Unlock()
	w.conn.Close()
	<-w.done
}
