//go:build linux

package desktop

import (
	"bufio"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeGlobal is a global the fake compositor announces.
type fakeGlobal struct {
	iface   string
	version uint32
}

// fakeCompositor answers a Wayland client on a socket in a temporary
// folder: it announces its globals, answers wl_display.sync, and hands
// every request to the test; the test sends the idle events and any
// hostile bytes it likes.
type fakeCompositor struct {
	socket   string
	requests chan wlMessage

	mu     sync.Mutex
	conn   net.Conn
	reject string // set: answer a bind with this protocol error
}

// rejectBinds makes the compositor answer a bind with a protocol error.
func (f *fakeCompositor) rejectBinds(msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reject = msg
}

func newFakeCompositor(t *testing.T, globals ...fakeGlobal) *fakeCompositor {
	t.Helper()
	f := &fakeCompositor{socket: filepath.Join(t.TempDir(), "wayland-0"), requests: make(chan wlMessage, 64)}
	l, err := net.Listen("unix", f.socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		t.Cleanup(func() { conn.Close() })
		f.mu.Lock()
		f.conn = conn
		f.mu.Unlock()
		r := bufio.NewReader(conn)
		for {
			m, err := readMessage(r)
			if err != nil {
				return
			}
			a := wlArgs{b: m.body}
			switch {
			case m.obj == idDisplay && m.op == 1: // get_registry
				registry := a.uint()
				for i, g := range globals {
					ev := wlMessage{obj: registry, op: 0}
					ev.putUint(uint32(i + 1)).putString(g.iface).putUint(g.version)
					f.send(ev.bytes())
				}
			case m.obj == idDisplay && m.op == 0: // sync
				callback := a.uint()
				done := wlMessage{obj: callback, op: 0}
				done.putUint(7)
				gone := wlMessage{obj: idDisplay, op: 1}
				gone.putUint(callback)
				f.send(append(done.bytes(), gone.bytes()...))
			case m.obj == idRegistry && m.op == 0 && f.rejecting() != "":
				e := wlMessage{obj: idDisplay, op: 0}
				e.putUint(idRegistry).putUint(1).putString(f.rejecting())
				f.send(e.bytes())
			default:
				f.requests <- m
			}
		}
	}()
	return f
}

func (f *fakeCompositor) rejecting() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reject
}

// send writes raw bytes to the client.
func (f *fakeCompositor) send(b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conn.Write(b)
}

// event sends an event without arguments.
func (f *fakeCompositor) event(obj uint32, op uint16) {
	m := wlMessage{obj: obj, op: op}
	f.send(m.bytes())
}

// hangUp closes the client's connection.
func (f *fakeCompositor) hangUp() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conn.Close()
}

// request waits for the client's next request other than get_registry
// and sync.
func (f *fakeCompositor) request(t *testing.T) wlMessage {
	t.Helper()
	select {
	case m := <-f.requests:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no request from the client within 10 s")
		return wlMessage{}
	}
}

// bound checks that the next request binds iface at version as id.
func (f *fakeCompositor) bound(t *testing.T, iface string, version, id uint32) {
	t.Helper()
	m := f.request(t)
	a := wlArgs{b: m.body}
	a.uint() // registry name
	gotIface, gotVersion, gotID := a.string(), a.uint(), a.uint()
	if m.obj != idRegistry || m.op != 0 || a.end() != nil || gotIface != iface || gotVersion != version || gotID != id {
		t.Fatalf("want bind %s v%d as %d, got object %d op %d: %s v%d as %d", iface, version, id, m.obj, m.op, gotIface, gotVersion, gotID)
	}
}

// ended waits for the source's reader to end.
func ended(t *testing.T, w *Wayland) {
	t.Helper()
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the reader did not end within 10 s")
	}
}
