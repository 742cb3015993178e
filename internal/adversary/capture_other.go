//go:build !linux

package adversary

import "errors"

// Capture needs Linux packet sockets.
type Capture struct{}

// StartCapture fails: packet capture needs Linux.
func StartCapture(Namespace, ...string) (*Capture, error) {
	return nil, errors.New("adversary: packet capture needs Linux")
}

func (*Capture) Stop()                                     {}
func (*Capture) Frames() (int, int64)                      { return 0, 0 }
func (*Capture) Hits() (map[string]int, map[string][]byte) { return nil, nil }
