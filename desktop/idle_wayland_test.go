//go:build linux

package desktop

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

const testThreshold = 90 * time.Second

// openFake opens the source against f and returns it with its idle events.
func openFake(t *testing.T, f *fakeCompositor) (*Wayland, <-chan bool) {
	t.Helper()
	events := make(chan bool, 8)
	w, err := openWayland(f.socket, testThreshold, func(idle bool) { events <- idle })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w, events
}

// watchRequest checks the request that creates the notification.
func watchRequest(t *testing.T, f *fakeCompositor, op uint16, args ...uint32) {
	t.Helper()
	m := f.request(t)
	a := wlArgs{b: m.body}
	var got []uint32
	for range args {
		got = append(got, a.uint())
	}
	if m.obj != idNotifier || m.op != op || a.end() != nil || !slices.Equal(got, args) {
		t.Fatalf("want request %d %v on the notifier, got object %d op %d %v", op, args, m.obj, m.op, got)
	}
}

// The registry round trip finds the seat and ext-idle-notify, the source
// binds both and asks for a notification at its threshold; idled makes
// the idle time at least the threshold, resumed makes it 0.
func TestWaylandIdleExtNotifier(t *testing.T) {
	f := newFakeCompositor(t, fakeGlobal{"wl_compositor", 6}, fakeGlobal{"wl_seat", 8}, fakeGlobal{extIdleNotifier, 1})
	w, events := openFake(t, f)
	f.bound(t, "wl_seat", 1, idSeat)
	f.bound(t, extIdleNotifier, 1, idNotifier)
	watchRequest(t, f, 1, idNotification, uint32(testThreshold.Milliseconds()), idSeat)

	if since, locked, err := w.Idle(); since != 0 || locked || err != nil {
		t.Fatalf("before idled: idle %v locked %v err %v", since, locked, err)
	}
	f.event(idNotification, 0)
	if !<-events {
		t.Fatal("idled read as resumed")
	}
	if since, locked, err := w.Idle(); since < testThreshold || locked || err != nil {
		t.Fatalf("idled: idle %v locked %v err %v, want >= %v", since, locked, err, testThreshold)
	}
	f.event(idNotification, 1)
	if <-events {
		t.Fatal("resumed read as idled")
	}
	if since, _, err := w.Idle(); since != 0 || err != nil {
		t.Fatalf("resumed: idle %v err %v", since, err)
	}
}

// Version 2 of ext-idle-notify counts input only, as the other sources do.
func TestWaylandIdleExtNotifierInputOnly(t *testing.T) {
	f := newFakeCompositor(t, fakeGlobal{"wl_seat", 9}, fakeGlobal{kdeIdleTimeout, 1}, fakeGlobal{extIdleNotifier, 2})
	openFake(t, f)
	f.bound(t, "wl_seat", 1, idSeat)
	f.bound(t, extIdleNotifier, 2, idNotifier)
	watchRequest(t, f, 2, idNotification, uint32(testThreshold.Milliseconds()), idSeat)
}

// Where only KDE's older protocol is offered (wlroots 0.15, sway 1.7) the
// source asks for an idle timeout, whose arguments come in another order.
func TestWaylandIdleKDE(t *testing.T) {
	f := newFakeCompositor(t, fakeGlobal{"wl_seat", 7}, fakeGlobal{kdeIdleTimeout, 1})
	w, events := openFake(t, f)
	f.bound(t, "wl_seat", 1, idSeat)
	f.bound(t, kdeIdleTimeout, 1, idNotifier)
	watchRequest(t, f, 0, idNotification, idSeat, uint32(testThreshold.Milliseconds()))
	f.event(idNotification, 0)
	<-events
	if since, _, err := w.Idle(); since < testThreshold || err != nil {
		t.Fatalf("idle: %v %v", since, err)
	}
}

// A compositor without any idle protocol gives no source and says why.
func TestWaylandIdleNoProtocol(t *testing.T) {
	f := newFakeCompositor(t, fakeGlobal{"wl_compositor", 6}, fakeGlobal{"wl_seat", 8}, fakeGlobal{"xdg_wm_base", 5})
	w, err := OpenWayland(f.socket, testThreshold)
	if w != nil || err == nil || !strings.Contains(err.Error(), "no idle protocol") {
		t.Fatalf("source %v err %v", w, err)
	}
	f = newFakeCompositor(t, fakeGlobal{extIdleNotifier, 1})
	if w, err := OpenWayland(f.socket, testThreshold); w != nil || err == nil || !strings.Contains(err.Error(), "no seat") {
		t.Fatalf("without a seat: source %v err %v", w, err)
	}
}

// A protocol error from the compositor during the setup is the error.
func TestWaylandIdleDisplayError(t *testing.T) {
	f := newFakeCompositor(t, fakeGlobal{"wl_seat", 8}, fakeGlobal{extIdleNotifier, 1})
	f.rejectBinds("invalid version for global wl_seat")
	w, err := OpenWayland(f.socket, testThreshold)
	if w != nil || err == nil || !strings.Contains(err.Error(), "invalid version for global wl_seat") {
		t.Fatalf("source %v err %v", w, err)
	}
}

// Hostile or broken bytes after the setup end the source with an error,
// never a panic; the window then falls back to its own input.
func TestWaylandIdleMalformedEvents(t *testing.T) {
	header := func(obj, size, op uint32) []byte {
		return wlOrder.AppendUint32(wlOrder.AppendUint32(nil, obj), size<<16|op)
	}
	noNUL := wlMessage{obj: idDisplay, op: 0}
	noNUL.putUint(1).putUint(2).putUint(4)
	noNUL.body = append(noNUL.body, "abcd"...)
	longString := wlMessage{obj: idDisplay, op: 0}
	longString.putUint(1).putUint(2).putUint(1000)
	for name, b := range map[string][]byte{
		"oversized":           append(header(idNotification, 0xfffc, 0), make([]byte, 64)...),
		"shorter than header": header(idNotification, 4, 0),
		"unaligned":           header(idNotification, 10, 0),
		"object 0":            header(0, 8, 0),
		"unknown object":      header(99, 8, 0),
		"unknown event":       header(idNotification, 8, 2),
		"idled with args":     append(header(idNotification, 12, 0), 1, 0, 0, 0),
		"delete_id cut short": header(idDisplay, 8, 1),
		"string without NUL":  noNUL.bytes(),
		"string past the end": longString.bytes(),
		"cut message":         header(idNotification, 16, 0),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeCompositor(t, fakeGlobal{"wl_seat", 8}, fakeGlobal{extIdleNotifier, 1})
			w, _ := openFake(t, f)
			f.send(b)
			if name == "cut message" {
				f.hangUp()
			}
			ended(t, w)
			if since, _, err := w.Idle(); err == nil || since != 0 {
				t.Fatalf("idle %v err %v", since, err)
			}
		})
	}
}

// Close ends the reader even while a message is half read, and the
// source then says it is closed.
func TestWaylandIdleClose(t *testing.T) {
	f := newFakeCompositor(t, fakeGlobal{"wl_seat", 8}, fakeGlobal{extIdleNotifier, 1})
	w, _ := openFake(t, f)
	f.send(wlOrder.AppendUint32(nil, idNotification)) // half a header
	w.Close()
	ended(t, w)
	if _, _, err := w.Idle(); err != errWaylandClosed {
		t.Fatalf("after Close: %v", err)
	}
	w.Close() // twice is harmless
}

// On a Wayland session without GNOME's or KDE's services OpenIdle reads
// the compositor's idle protocol; when that fails too, the reason names
// both.
func TestOpenIdleWaylandSession(t *testing.T) {
	f := newFakeCompositor(t, fakeGlobal{"wl_seat", 8}, fakeGlobal{kdeIdleTimeout, 1})
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	t.Setenv("WAYLAND_DISPLAY", f.socket)
	src, why := OpenIdle()
	w, ok := src.(*Wayland)
	if !ok || why != "" {
		t.Fatalf("source %T, reason %q", src, why)
	}
	defer w.Close()
	if w.TellsLock() {
		t.Fatal("the Wayland source claims to tell the lock")
	}
	f.bound(t, "wl_seat", 1, idSeat)
	f.bound(t, kdeIdleTimeout, 1, idNotifier)
	watchRequest(t, f, 0, idNotification, idSeat, uint32(WaylandThreshold.Milliseconds()))

	t.Setenv("WAYLAND_DISPLAY", f.socket+"-gone")
	src, why = OpenIdle()
	if src != nil || !strings.Contains(why, "session bus") || !strings.Contains(why, "Wayland compositor") {
		t.Fatalf("neither: source %v, reason %q", src, why)
	}
	t.Log(why)
}

// The socket: WAYLAND_DISPLAY as a path of its own or a name in
// XDG_RUNTIME_DIR.
func TestWaylandSocket(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	t.Setenv("WAYLAND_DISPLAY", "wayland-1")
	if s, err := waylandSocket(); s != "/run/user/1000/wayland-1" || err != nil {
		t.Fatalf("%q %v", s, err)
	}
	t.Setenv("WAYLAND_DISPLAY", "/tmp/w/socket")
	if s, err := waylandSocket(); s != "/tmp/w/socket" || err != nil {
		t.Fatalf("%q %v", s, err)
	}
	t.Setenv("WAYLAND_DISPLAY", "wayland-1")
	t.Setenv("XDG_RUNTIME_DIR", "")
	if _, err := waylandSocket(); err == nil {
		t.Fatal("no XDG_RUNTIME_DIR: no error")
	}
}

// FuzzWaylandEvents feeds hostile bytes to the event decoder and the
// dispatcher as the compositor's stream: every message they accept
// encodes back to the bytes it came from, and nothing panics.
func FuzzWaylandEvents(f *testing.F) {
	f.Add(wlOrder.AppendUint32(wlOrder.AppendUint32(nil, idNotification), 8<<16))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &wlClient{onIdle: func(bool) {}}
		r := bytes.NewReader(data)
		for {
			before := len(data) - r.Len()
			m, err := readMessage(r)
			if err != nil {
				return
			}
			if got := m.bytes(); !bytes.Equal(got, data[before:len(data)-r.Len()]) {
				t.Fatalf("message %x encodes as %x", data[before:len(data)-r.Len()], got)
			}
			if c.dispatch(m) != nil {
				return
			}
		}
	})
}
