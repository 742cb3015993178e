//go:build windows

package control

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// pipeBuffer is the kernel buffer of each pipe direction.
const pipeBuffer = 64 << 10

// pipeName is the control pipe of the data folder whose socket path is
// path: one pipe per folder, whatever the case or form of its path.
func pipeName(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	sum := sha256.Sum256([]byte(strings.ToLower(filepath.Clean(abs))))
	return `\\.\pipe\hallway-` + hex.EncodeToString(sum[:16])
}

// currentUser is the SID of the user running this process.
func currentUser() (*windows.SID, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("current user: %w", err)
	}
	return u.User.Sid, nil
}

// listenPrivate creates the control pipe for path. Its access list lets
// only the current user open it; remote clients are refused; and it must
// be the first instance of its name, so a pipe planted earlier under the
// same name by another program makes Listen fail instead of sharing it.
func listenPrivate(path string) (net.Listener, error) {
	me, err := currentUser()
	if err != nil {
		return nil, err
	}
	sd, err := windows.SecurityDescriptorFromString("O:" + me.String() + "D:P(A;;GA;;;" + me.String() + ")")
	if err != nil {
		return nil, fmt.Errorf("pipe access list: %w", err)
	}
	name := pipeName(path)
	name16, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, err
	}
	closing, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return nil, err
	}
	l := &pipeListener{
		name: name, name16: name16, closing: closing,
		sa: &windows.SecurityAttributes{Length: uint32(unsafe.Sizeof(windows.SecurityAttributes{})), SecurityDescriptor: sd},
	}
	if l.next, err = l.create(true); err != nil {
		windows.CloseHandle(closing)
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_PIPE_BUSY) {
			return nil, fmt.Errorf("pipe %s already exists (another program holds it): %w", name, err)
		}
		return nil, fmt.Errorf("pipe %s: %w", name, err)
	}
	return l, nil
}

// pipeListener hands out one connected pipe instance per client, keeping
// the next instance waiting so the name never lapses.
type pipeListener struct {
	name    string
	name16  *uint16
	sa      *windows.SecurityAttributes
	closing windows.Handle // set when the listener closes

	mu     sync.Mutex // held by Accept while it waits
	next   windows.Handle
	closed bool
	once   sync.Once
}

func (l *pipeListener) create(first bool) (windows.Handle, error) {
	flags := uint32(windows.PIPE_ACCESS_DUPLEX | windows.FILE_FLAG_OVERLAPPED)
	if first {
		flags |= windows.FILE_FLAG_FIRST_PIPE_INSTANCE
	}
	mode := uint32(windows.PIPE_TYPE_BYTE | windows.PIPE_READMODE_BYTE | windows.PIPE_WAIT | windows.PIPE_REJECT_REMOTE_CLIENTS)
	return windows.CreateNamedPipe(l.name16, flags, mode, windows.PIPE_UNLIMITED_INSTANCES, pipeBuffer, pipeBuffer, 0, l.sa)
}

// Accept waits for a client on the waiting instance. The wait uses an
// event rather than the runtime's completion port, so it can be cut short
// by Close.
func (l *pipeListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, net.ErrClosed
	}
	h := l.next
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return nil, err
	}
	defer windows.CloseHandle(ev)
	ov := &windows.Overlapped{HEvent: ev}
	err = windows.ConnectNamedPipe(h, ov)
	if errors.Is(err, windows.ERROR_IO_PENDING) {
		w, werr := windows.WaitForMultipleObjects([]windows.Handle{ev, l.closing}, false, windows.INFINITE)
		if werr != nil || w != windows.WAIT_OBJECT_0 {
			windows.CancelIoEx(h, ov)
			var n uint32
			windows.GetOverlappedResult(h, ov, &n, true)
			return nil, net.ErrClosed
		}
		var n uint32
		err = windows.GetOverlappedResult(h, ov, &n, false)
	}
	if err != nil && !errors.Is(err, windows.ERROR_PIPE_CONNECTED) {
		return nil, &net.OpError{Op: "accept", Net: "pipe", Addr: pipeAddr(l.name), Err: err}
	}
	next, err := l.create(false)
	if err != nil {
		windows.DisconnectNamedPipe(h)
		return nil, &net.OpError{Op: "accept", Net: "pipe", Addr: pipeAddr(l.name), Err: err}
	}
	l.next = next
	return &pipeConn{File: os.NewFile(uintptr(h), l.name), addr: pipeAddr(l.name)}, nil
}

// Close stops Accept and removes the name once every connection closes.
func (l *pipeListener) Close() error {
	l.once.Do(func() {
		windows.SetEvent(l.closing)
		l.mu.Lock()
		defer l.mu.Unlock()
		l.closed = true
		windows.CloseHandle(l.next)
		windows.CloseHandle(l.closing)
	})
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr(l.name) }

// dialEndpoint opens the control pipe for path, waiting while every
// instance is busy, and checks that it belongs to the current user: a
// pipe created by anyone else is refused before a byte is sent.
func dialEndpoint(ctx context.Context, path string) (net.Conn, error) {
	name := pipeName(path)
	fail := func(err error) error { return &net.OpError{Op: "dial", Net: "pipe", Addr: pipeAddr(name), Err: err} }
	name16, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, fail(err)
	}
	for {
		h, err := windows.CreateFile(name16, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING,
			windows.FILE_FLAG_OVERLAPPED|windows.SECURITY_SQOS_PRESENT|windows.SECURITY_IDENTIFICATION, 0)
		if err == nil {
			if err := checkOwner(h); err != nil {
				windows.CloseHandle(h)
				return nil, fail(err)
			}
			return &pipeConn{File: os.NewFile(uintptr(h), name), addr: pipeAddr(name)}, nil
		}
		if !errors.Is(err, windows.ERROR_PIPE_BUSY) {
			return nil, fail(err)
		}
		select {
		case <-ctx.Done():
			return nil, fail(ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// checkOwner refuses a pipe whose owner is not the current user.
func checkOwner(h windows.Handle) error {
	me, err := currentUser()
	if err != nil {
		return err
	}
	sd, err := windows.GetSecurityInfo(h, windows.SE_KERNEL_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("control pipe owner: %w", err)
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return fmt.Errorf("control pipe owner: %w", err)
	}
	if owner == nil || !owner.Equals(me) {
		return fmt.Errorf("control pipe belongs to %v, not to the current user %s", owner, me)
	}
	return nil
}

// pipeConn is one end of a connected pipe; reads and writes go through
// the runtime's poller, so deadlines work.
type pipeConn struct {
	*os.File
	addr pipeAddr
}

func (c *pipeConn) LocalAddr() net.Addr  { return c.addr }
func (c *pipeConn) RemoteAddr() net.Addr { return c.addr }

type pipeAddr string

func (pipeAddr) Network() string  { return "pipe" }
func (a pipeAddr) String() string { return string(a) }
