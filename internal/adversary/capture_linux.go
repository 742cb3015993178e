package adversary

import (
	"bytes"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Capture records every frame on every interface of a namespace, as a
// packet sniffer on the office LAN would, and looks for secrets in it. It
// keeps counts, not the traffic: each frame is searched as it arrives,
// together with the end of the frame before it, so a secret split across
// two segments is found too.
type Capture struct {
	fd      int
	markers [][]byte
	done    chan struct{}
	stopped chan struct{}

	mu      sync.Mutex // guards frames, bytes, hits and samples
	frames  int
	bytes   int64
	hits    map[string]int
	samples map[string][]byte // a frame around the first hit of each marker
}

// StartCapture opens a raw packet socket inside ns and starts reading.
func StartCapture(ns Namespace, markers ...string) (*Capture, error) {
	c := &Capture{done: make(chan struct{}), stopped: make(chan struct{}), hits: map[string]int{}, samples: map[string][]byte{}}
	for _, m := range markers {
		c.markers = append(c.markers, []byte(m))
	}
	err := ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL)))
		if err != nil {
			return err
		}
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 64<<20)
		tv := unix.NsecToTimeval(int64(200 * time.Millisecond))
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			unix.Close(fd)
			return err
		}
		c.fd = fd
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("adversary: packet socket: %w", err)
	}
	go c.read()
	return c, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func (c *Capture) read() {
	defer close(c.stopped)
	buf := make([]byte, 1<<17)
	var prev []byte
	longest := 0
	for _, m := range c.markers {
		longest = max(longest, len(m))
	}
	for {
		select {
		case <-c.done:
			return
		default:
		}
		n, _, err := unix.Recvfrom(c.fd, buf, 0)
		if err != nil {
			continue // the read timeout, so that done is seen
		}
		frame := buf[:n]
		joined := append(prev, frame...)
		c.mu.Lock()
		c.frames++
		c.bytes += int64(n)
		for _, m := range c.markers {
			if i := bytes.Index(joined, m); i >= 0 {
				c.hits[string(m)]++
				if c.samples[string(m)] == nil {
					c.samples[string(m)] = bytes.Clone(joined[max(0, i-64):min(len(joined), i+len(m)+64)])
				}
			}
		}
		c.mu.Unlock()
		prev = append(prev[:0], frame[max(0, n-longest):]...)
	}
}

// Stop ends the capture.
func (c *Capture) Stop() {
	select {
	case <-c.done:
		return
	default:
	}
	close(c.done)
	<-c.stopped
	unix.Close(c.fd)
}

// Frames and Bytes count what was captured.
func (c *Capture) Frames() (int, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frames, c.bytes
}

// Hits reports how often each marker was seen, and a sample around the
// first sighting of each.
func (c *Capture) Hits() (map[string]int, map[string][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hits := map[string]int{}
	samples := map[string][]byte{}
	for k, v := range c.hits {
		hits[k] = v
		samples[k] = c.samples[k]
	}
	return hits, samples
}
