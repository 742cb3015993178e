package p2p

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// slowAnswer is a TCP relay in front of a node whose answers start
// after a delay, as from a colleague's machine too busy to shake hands
// at once: what the dialer sends goes through, what comes back is held.
type slowAnswer struct {
	ln      net.Listener
	to      string
	delay   time.Duration
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   []net.Conn
	closing bool
	quit    chan struct{} // closed when closing
}

func newSlowAnswer(t *testing.T, to ma.Multiaddr, delay time.Duration) *slowAnswer {
	t.Helper()
	na, err := manet.ToNetAddr(to)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &slowAnswer{ln: ln, to: na.String(), delay: delay, quit: make(chan struct{})}
	s.wg.Go(s.serve)
	t.Cleanup(s.close)
	return s
}

func (s *slowAnswer) addr(t *testing.T) ma.Multiaddr {
	a, err := manet.FromNetAddr(s.ln.Addr())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// track keeps c to close at the end; false when closing began.
func (s *slowAnswer) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns = append(s.conns, c)
	return true
}

func (s *slowAnswer) serve() {
	for {
		in, err := s.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp4", s.to)
		if err != nil {
			in.Close()
			continue
		}
		if !s.track(in) || !s.track(out) {
			in.Close()
			out.Close()
			return
		}
		s.wg.Go(func() { io.Copy(out, in) })
		s.wg.Go(func() {
			held := time.NewTimer(s.delay)
			defer held.Stop()
			select {
			case <-held.C:
				io.Copy(in, out)
			case <-s.quit:
			}
		})
	}
}

func (s *slowAnswer) close() {
	s.mu.Lock()
	s.closing = true
	close(s.quit)
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

// A colleague whose machine answers a handshake seconds late is still
// connected when the caller gives the dial the time (DialWait), where
// libp2p's own bound for a local address, 5 s, gave up on it every time.
func TestASlowHandshakeStillConnects(t *testing.T) {
	k := make([]byte, 32)
	a, _ := newTestNode(t, k)
	b, _ := newTestNode(t, k)
	slow := newSlowAnswer(t, b.host.Addrs()[0], 6*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), DialWait)
	defer cancel()
	if err := a.Connect(ctx, b.ID(), []ma.Multiaddr{slow.addr(t)}); err != nil {
		t.Fatalf("a handshake answered 6 s late: %v", err)
	}
	if !a.IsConnected(b.ID()) {
		t.Fatal("connected, yet not listed connected")
	}
}
