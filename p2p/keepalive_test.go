package p2p

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	ma "github.com/multiformats/go-multiaddr"
)

func fakeConns(n int) []network.Conn {
	cs := make([]network.Conn, n)
	for i := range cs {
		cs[i] = &fakeConn{name: fmt.Sprint(i)}
	}
	return cs
}

// A node pings each connection every KeepAlive while it holds few, and
// sends no more than keepAlivePings pings a second however many it holds.
func TestKeepAlivePingsStayWithinTheBudget(t *testing.T) {
	const every, span, tick = 2 * time.Second, 120 * time.Second, 500 * time.Millisecond
	for _, tc := range []struct {
		conns    int
		interval time.Duration
	}{{10, every}, {20, every}, {100, 10 * time.Second}, {200, 20 * time.Second}} {
		t.Run(fmt.Sprint(tc.conns), func(t *testing.T) {
			p := newPinger(every, keepAlivePings)
			conns := fakeConns(tc.conns)
			pinged := map[network.Conn]int{}
			start := time.Unix(1e9, 0)
			for at := time.Duration(0); at < span; at += tick {
				due, every := p.due(start.Add(at), conns)
				if every != tc.interval {
					t.Fatalf("%d connections pinged every %v, want %v", tc.conns, every, tc.interval)
				}
				for _, d := range due {
					pinged[d.conn]++
				}
			}
			per, total := int(span/tc.interval), 0
			for _, c := range conns {
				if n := pinged[c]; n < per-1 || n > per {
					t.Fatalf("connection %s pinged %d times in %v, want one every %v", c.(*fakeConn).name, n, span, tc.interval)
				}
				total += pinged[c]
			}
			if most := keepAlivePings * int(span/time.Second); total > most {
				t.Fatalf("%d connections: %d pings in %v, more than %d", tc.conns, total, span, most)
			}
		})
	}
}

// A connection whose ping waits for its answer is not pinged again until
// it has one; a closed connection is forgotten.
func TestKeepAliveWaitsForAnAnswerAndForgetsClosedConnections(t *testing.T) {
	p := newPinger(time.Second, keepAlivePings)
	conns := fakeConns(4)
	now := time.Unix(1e9, 0)
	var waiting *pingDue
	for waiting == nil {
		now = now.Add(250 * time.Millisecond)
		if due, _ := p.due(now, conns); len(due) > 0 {
			waiting = due[0]
		}
	}
	waiting.inFlight.Store(true)
	for range 20 {
		now = now.Add(250 * time.Millisecond)
		due, _ := p.due(now, conns)
		for _, d := range due {
			if d == waiting {
				t.Fatal("a connection was pinged again while its ping waited for an answer")
			}
		}
	}
	waiting.inFlight.Store(false)
	now = now.Add(250 * time.Millisecond)
	again := false
	due, _ := p.due(now, conns)
	for _, d := range due {
		again = again || d == waiting
	}
	if !again {
		t.Fatal("a connection overdue for its ping was not pinged once the last one was answered")
	}
	p.due(now, conns[:1])
	if len(p.conns) != 1 {
		t.Fatalf("the pinger remembers %d connections of 1", len(p.conns))
	}
}

// freezer forwards TCP connections to a listener until frozen; then it
// swallows what both sides send, as a cable pulled does.
type freezer struct {
	ln     net.Listener
	mu     sync.Mutex
	frozen chan struct{}
	once   sync.Once
}

func newFreezer(t *testing.T, to string) *freezer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, frozen: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", to)
			if err != nil {
				c.Close()
				continue
			}
			t.Cleanup(func() { c.Close(); d.Close() })
			go f.pipe(c, d)
			go f.pipe(d, c)
		}
	}()
	return f
}

func (f *freezer) pipe(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		select {
		case <-f.frozen:
			continue
		default:
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

func (f *freezer) freeze() { f.once.Do(func() { close(f.frozen) }) }

// frozenColleague connects Ann, pinging every 100 ms (budget pings a second
// at most, 0 for the default), to Bob through a freezer, and returns once
// Bob is online at Ann's.
func frozenColleague(t *testing.T, budget int) (*Node, *recorder, *Node, *freezer) {
	a, ra := newTestNodeWith(t, Config{KeepAlive: 100 * time.Millisecond, pingBudget: budget})
	b, _ := newTestNode(t, nil)
	var to string
	for _, addr := range b.host.Addrs() {
		if port, err := addr.ValueForProtocol(ma.P_TCP); err == nil {
			to = "127.0.0.1:" + port
		}
	}
	f := newFreezer(t, to)
	via := ma.StringCast(fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", f.ln.Addr().(*net.TCPAddr).Port))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Connect(ctx, b.ID(), []ma.Multiaddr{via}); err != nil {
		t.Fatal(err)
	}
	ra.waitFor(t, "Bob online", func() bool { return ra.online[b.ID()] })
	return a, ra, b, f
}

// A connection whose colleague stops answering (the cable pulled: no FIN,
// nothing more arrives) is closed at its first unanswered ping, and the
// colleague listed offline.
func TestKeepAliveClosesAConnectionThatStopsAnswering(t *testing.T) {
	a, ra, b, f := frozenColleague(t, 0)
	f.freeze()
	ra.waitFor(t, "Bob offline once nothing arrives from him", func() bool { return !ra.online[b.ID()] })
	st := a.Stats()
	if st.PingsUnanswered != 1 && a.lateAt.Load() == 0 {
		t.Fatalf("Bob went offline after %d unanswered pings, want 1", st.PingsUnanswered)
	}
	if st.KeepAliveClosed != 1 {
		t.Fatalf("stats count %d connections closed by keep-alive, want 1", st.KeepAliveClosed)
	}
}

// While a node's own machine is too busy to run it in time, an unanswered
// ping says nothing of the colleague: it is sent again, up to maxBusyPings
// in a row, before the connection is closed.
func TestKeepAliveBearsWithUnansweredPingsWhileItsMachineIsBusy(t *testing.T) {
	a, ra, b, f := frozenColleague(t, 0)
	busy, done := time.NewTicker(5*time.Millisecond), make(chan struct{})
	defer busy.Stop()
	go func() {
		for {
			a.lateAt.Store(time.Now().UnixNano())
			select {
			case <-busy.C:
			case <-done:
				return
			}
		}
	}()
	defer close(done)
	f.freeze()
	ra.waitFor(t, "Bob offline once nothing arrives from him", func() bool { return !ra.online[b.ID()] })
	if missed := a.pingMisses.Load(); missed != maxBusyPings {
		t.Fatalf("a busy node dropped Bob after %d unanswered pings, want %d", missed, maxBusyPings)
	}
}

// A node that pings each connection less often (here once a second, at
// most one ping a second) waits as long for an answer: one unanswered
// ping, 400 ms, does not close the connection; more in a row do.
func TestKeepAliveWaitsForAnAnswerAsLongAsItsInterval(t *testing.T) {
	a, ra, b, f := frozenColleague(t, 1)
	f.freeze()
	ra.waitFor(t, "Bob offline once nothing arrives from him", func() bool { return !ra.online[b.ID()] })
	if missed := a.pingMisses.Load(); missed < 2 {
		t.Fatalf("a node pinging every second dropped Bob after %d unanswered ping of 400 ms", missed)
	}
}
