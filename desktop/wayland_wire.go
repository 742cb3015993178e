//go:build linux || freebsd || openbsd || netbsd || dragonfly

package desktop

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The Wayland wire format, as much of it as the idle source speaks: a
// message is the object id (u32), then the size in bytes of the whole
// message in the high 16 bits and the opcode in the low 16 bits (u32),
// then the arguments, each a multiple of 4 bytes, in the host's byte
// order (little-endian on every machine Hallway builds for).
const (
	wlHeader = 8
	// wlMaxMessage caps one message, libwayland's own limit; the
	// events the source reads are far smaller.
	wlMaxMessage = 4096
)

var wlOrder = binary.LittleEndian

// wlMessage is one message: an event as read, or a request to write.
type wlMessage struct {
	obj  uint32
	op   uint16
	body []byte // the arguments
}

// readMessage reads one message of at most wlMaxMessage bytes; a
// malformed header is an error.
func readMessage(r io.Reader) (wlMessage, error) {
	var h [wlHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return wlMessage{}, err
	}
	m := wlMessage{obj: wlOrder.Uint32(h[0:]), op: uint16(wlOrder.Uint32(h[4:]))}
	size := int(wlOrder.Uint32(h[4:]) >> 16)
	switch {
	case m.obj == 0:
		return wlMessage{}, errors.New("a message for object 0")
	case size < wlHeader || size%4 != 0:
		return wlMessage{}, fmt.Errorf("a message of %d bytes", size)
	case size > wlMaxMessage:
		return wlMessage{}, fmt.Errorf("a message of %d bytes, over the limit of %d", size, wlMaxMessage)
	}
	m.body = make([]byte, size-wlHeader)
	if _, err := io.ReadFull(r, m.body); err != nil {
		return wlMessage{}, fmt.Errorf("a cut message: %w", io.ErrUnexpectedEOF)
	}
	return m, nil
}

// wlArgs reads the arguments of a message in order; the first problem
// sticks and every later read gives zero.
type wlArgs struct {
	b   []byte
	err error
}

func (a *wlArgs) uint() uint32 {
	if a.err != nil {
		return 0
	}
	if len(a.b) < 4 {
		a.err = errors.New("an argument past the end of its message")
		return 0
	}
	v := wlOrder.Uint32(a.b)
	a.b = a.b[4:]
	return v
}

// string reads a string: its length with the closing NUL, then its bytes
// padded to 4. A null string (length 0) reads as "".
func (a *wlArgs) string() string {
	n := a.uint()
	if a.err != nil || n == 0 {
		return ""
	}
	padded := (uint64(n) + 3) &^ 3
	if padded > uint64(len(a.b)) {
		a.err = errors.New("a string past the end of its message")
		return ""
	}
	s := a.b[:n]
	a.b = a.b[padded:]
	if s[n-1] != 0 {
		a.err = errors.New("a string without its closing NUL")
		return ""
	}
	return string(s[:n-1])
}

// end checks that every argument was read and nothing is left over.
func (a *wlArgs) end() error {
	if a.err == nil && len(a.b) != 0 {
		a.err = fmt.Errorf("%d bytes after the last argument", len(a.b))
	}
	return a.err
}

// putUint and putString append request arguments.
func (m *wlMessage) putUint(v uint32) *wlMessage {
	m.body = wlOrder.AppendUint32(m.body, v)
	return m
}

func (m *wlMessage) putString(s string) *wlMessage {
	m.putUint(uint32(len(s) + 1))
	m.body = append(m.body, s...)
	m.body = append(m.body, make([]byte, 4-len(s)%4)...) // the NUL and the padding
	return m
}

// bytes is the message on the wire.
func (m *wlMessage) bytes() []byte {
	b := wlOrder.AppendUint32(nil, m.obj)
	b = wlOrder.AppendUint32(b, uint32(wlHeader+len(m.body))<<16|uint32(m.op))
	return append(b, m.body...)
}
