//go:build linux || freebsd || openbsd || netbsd || dragonfly

package desktop

import (
	"bufio"
	"fmt"
	"io"
)

// wlGlobal is a global the compositor announced: its registry name (0:
// not announced) and version.
type wlGlobal struct{ name, version uint32 }

// wlClient is the client side of the conversation: what the registry
// announced and the events of the objects the source made. Any event it
// does not expect ends the conversation with an error.
type wlClient struct {
	seat, notifier, kde wlGlobal
	synced              uint32 // the last wl_callback that said done
	onIdle              func(idle bool)
}

// dispatch handles one event.
func (c *wlClient) dispatch(m wlMessage) error {
	a := wlArgs{b: m.body}
	switch {
	case m.obj == idDisplay && m.op == 0: // wl_display.error
		obj, code, msg := a.uint(), a.uint(), a.string()
		if err := a.end(); err != nil {
			return fmt.Errorf("a malformed error from the Wayland compositor: %w", err)
		}
		return fmt.Errorf("the Wayland compositor reports error %d on object %d: %q", code, obj, msg)
	case m.obj == idDisplay && m.op == 1: // wl_display.delete_id
		a.uint()
	case m.obj == idRegistry && m.op == 0: // wl_registry.global
		name, iface, version := a.uint(), a.string(), a.uint()
		if name == 0 || version == 0 {
			break
		}
		g := wlGlobal{name, version}
		switch {
		case iface == "wl_seat" && c.seat.name == 0:
			c.seat = g
		case iface == extIdleNotifier:
			c.notifier = g
		case iface == kdeIdleTimeout:
			c.kde = g
		}
	case m.obj == idRegistry && m.op == 1: // wl_registry.global_remove
		a.uint()
	case (m.obj == idSync1 || m.obj == idSync2) && m.op == 0: // wl_callback.done
		a.uint()
		c.synced = m.obj
	case m.obj == idSeat:
		// capabilities and name: nothing the source needs.
		return nil
	case m.obj == idNotification && m.op <= 1: // idled (0) and resumed (1) in both protocols
		if c.onIdle != nil && a.end() == nil {
			c.onIdle(m.op == 0)
		}
	default:
		return fmt.Errorf("an unexpected Wayland event %d on object %d", m.op, m.obj)
	}
	if err := a.end(); err != nil {
		return fmt.Errorf("a malformed Wayland event %d on object %d: %w", m.op, m.obj, err)
	}
	return nil
}

// bind is the wl_registry.bind request for g at version as object id.
func (c *wlClient) bind(g wlGlobal, iface string, version, id uint32) wlMessage {
	m := wlMessage{obj: idRegistry, op: 0}
	m.putUint(g.name).putString(iface).putUint(version).putUint(id)
	return m
}

// roundTrip writes the requests and a wl_display.sync, then handles
// events until the compositor has answered the sync, that is all of the
// requests.
func (c *wlClient) roundTrip(w io.Writer, r *bufio.Reader, callback uint32, requests ...wlMessage) error {
	sync := wlMessage{obj: idDisplay, op: 0}
	sync.putUint(callback)
	var out []byte
	for _, m := range append(requests, sync) {
		out = append(out, m.bytes()...)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("write to the Wayland compositor: %w", err)
	}
	for c.synced != callback {
		m, err := readMessage(r)
		if err == nil {
			err = c.dispatch(m)
		}
		if err != nil {
			return fmt.Errorf("talk to the Wayland compositor: %w", err)
		}
	}
	return nil
}
