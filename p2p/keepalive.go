package p2p

import (
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-yamux/v5"
)

// keepAlivePings bounds the keep-alive pings a node sends a second. While
// it holds no more connections than Config.KeepAlive × keepAlivePings (20
// at the default 2 s), each is pinged every KeepAlive; beyond that the
// interval grows with the connections so the pings stay within the bound:
// every 10 s with 100 colleagues, 20 s with 200, where a fixed 2 s would
// have each of 200 machines answer and send about 100 pings a second,
// every one a write and a wake-up, all day, for nothing. A colleague that
// vanished is listed offline within about 10 s in a small office, 26 s in
// one of 100 and 44 s in one of 200 (see the answer's wait below).
const keepAlivePings = 10

// pinger decides which connections are due a keep-alive ping. Only the
// keep-alive loop uses it; a ping in flight is marked on its entry.
type pinger struct {
	every  time.Duration // the shortest interval (Config.KeepAlive)
	budget int           // pings a second
	conns  map[network.Conn]*pingDue
	round  uint64
}

type pingDue struct {
	conn     network.Conn
	next     time.Time
	round    uint64 // the last round that listed the connection
	inFlight atomic.Bool
}

func newPinger(every time.Duration, budget int) *pinger {
	return &pinger{every: every, budget: budget, conns: map[network.Conn]*pingDue{}}
}

// interval is how often each of conns connections is pinged.
func (p *pinger) interval(conns int) time.Duration {
	return max(p.every, time.Duration(conns)*time.Second/time.Duration(p.budget))
}

// due returns the connections to ping at now, and the interval it
// schedules their next ping by (also the wait for an answer). A connection met for the first time is first pinged at a random
// point of its interval, so that pings spread over time instead of coming
// in bursts as the office arrives; one whose ping is still waiting for its
// answer is skipped until it has one. Connections no longer listed are
// forgotten.
func (p *pinger) due(now time.Time, conns []network.Conn) ([]*pingDue, time.Duration) {
	p.round++
	every := p.interval(len(conns))
	var out []*pingDue
	for _, c := range conns {
		d, ok := p.conns[c]
		if !ok {
			d = &pingDue{conn: c, next: now.Add(rand.N(every))}
			p.conns[c] = d
		}
		d.round = p.round
		if now.Before(d.next) || d.inFlight.Load() {
			continue
		}
		d.next = now.Add(every)
		out = append(out, d)
	}
	if len(p.conns) > len(conns) {
		for c, d := range p.conns {
			if d.round != p.round {
				delete(p.conns, c)
			}
		}
	}
	return out, every
}

// A node that pings each connection every interval waits as long for an
// answer (at least the muxer's write timeout, pingAnswerWait × KeepAlive,
// the wait for one ping): pinged every 20 s in an office of 200, a
// connection is closed once no answer came within 20 s, about three pings
// in a row. A colleague that vanished is then listed offline within twice
// the interval and a ping's wait.
//
// A wake of the keep-alive loop lateWake or more behind its time says the
// node's own machine was too busy to run it: a ping that went unanswered
// meanwhile says nothing of the colleague, whose answer may wait, unread,
// behind ours. Such a ping is sent again, up to maxBusyPings in a row,
// before the connection is closed. Closing it would cost far more than
// waiting: the colleague dials again, and the handshake, the sync and the
// profile that follow load the busy machines further (an office of 200
// forming on one small computer closed thousands that way).
const (
	lateWake     = time.Second
	maxBusyPings = 4
)

// keepAlive pings the node's connections, each on its own goroutine, and
// closes one that leaves its pings unanswered. It replaces yamux's own
// keep-alive, which pings every idle connection at a fixed interval
// however many there are. The loop looks at its connections an eighth of
// their interval apart, at least a quarter of KeepAlive and at most a
// second, so that a node holding many does not spend more on looking than
// on pinging, and its wakes tell in time whether the machine is busy.
func (n *Node) keepAlive(every time.Duration, budget int) {
	p := newPinger(every, budget)
	gap := every / 4
	wake := time.NewTimer(gap)
	defer wake.Stop()
	expected := time.Now().Add(gap)
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-wake.C:
			now := time.Now()
			if late := now.Sub(expected); late >= lateWake {
				n.lateAt.Store(sinceStart())
				n.log.Debug("keep-alive: this machine is busy", "late", late.Round(time.Millisecond))
			}
			due, wait := p.due(now, n.host.Network().Conns())
			for _, d := range due {
				d.inFlight.Store(true)
				if !n.goTracked(func() {
					defer d.inFlight.Store(false)
					n.ping(d.conn, wait)
				}) {
					return
				}
			}
			gap = min(time.Second, max(every/4, wait/8))
			wake.Reset(gap)
			expected = now.Add(gap)
		}
	}
}

// ping sends keep-alive pings on c until one is answered, and closes c
// once none was within wait, or to maxBusyPings in a row while the node
// was busy.
func (n *Node) ping(c network.Conn, wait time.Duration) {
	var s *yamux.Session
	if !c.As(&s) {
		return
	}
	first := time.Now()
	for try := 1; ; try++ {
		sent := sinceStart()
		_, err := s.Ping()
		if err == nil || s.IsClosed() || n.ctx.Err() != nil {
			return
		}
		n.pingMisses.Add(1)
		if time.Since(first) < wait {
			continue
		}
		if n.lateAt.Load() >= sent && try < maxBusyPings {
			n.log.Debug("keep-alive: no answer while this machine was busy, pinging again", "peer", c.RemotePeer(), "try", try)
			continue
		}
		n.log.Debug("keep-alive: no answer in time, connection closed", "peer", c.RemotePeer(), "tries", try, "err", err)
		n.keepAliveClosed.Add(1)
		c.Close()
		return
	}
}

// started anchors sinceStart, the monotonic clock the keep-alive compares
// its wakes and pings by (the wall clock may be set back meanwhile).
var started = time.Now()

func sinceStart() int64 { return int64(time.Since(started)) }
