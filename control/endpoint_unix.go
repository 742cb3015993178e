//go:build unix

package control

import (
	"context"
	"fmt"
	"net"
	"os"
	"syscall"
)

// maxSocketPath is the portable limit of a Unix socket path (sun_path).
const maxSocketPath = 104

// listenPrivate makes the socket at path owner-only from the moment it
// exists (umask), not just after a chmod. Any file found at path is stale:
// the caller holds the data folder.
func listenPrivate(path string) (net.Listener, error) {
	if len(path) >= maxSocketPath {
		return nil, fmt.Errorf("path too long for a Unix socket (%d bytes, under %d allowed): use a shorter --data folder", len(path), maxSocketPath)
	}
	os.Remove(path)
	old := syscall.Umask(0o177)
	l, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// dialEndpoint connects to the socket at path.
func dialEndpoint(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}
