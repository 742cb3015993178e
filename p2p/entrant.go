package p2p

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Entrants (Config.Entrant) are peers the workspace let connect only to
// enter by a pass. Every protocol handler goes through handle, which
// resets their streams on anything but ProtoEnter; gossip graylists them
// and ignores what they forward; connChanged never reports them, and
// their connections close after EntrantGrace. Once the workspace room's
// log counts them members, core drops the connection and dials again,
// and the new one is a colleague's like any other.

// EntrantGrace is how long an entrant's connection lasts.
const EntrantGrace = 30 * time.Second

// handle registers a protocol handler that entrants never reach, nor
// peers the gater would refuse now (a connection opened before they were
// refused may linger until it is dropped).
func (n *Node) handle(proto protocol.ID, h network.StreamHandler) {
	n.host.SetStreamHandler(proto, func(s network.Stream) {
		if n.admission(s.Conn().RemotePeer()) != Admitted {
			s.Reset()
			return
		}
		h(s)
	})
}

// entrantConns are the connections that were an entrant's when they
// opened: never reported, even once the log lets their peer in.
type entrantConns struct {
	mu    sync.Mutex
	conns map[network.Conn]bool
}

func (e *entrantConns) add(c network.Conn) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conns == nil {
		e.conns = map[network.Conn]bool{}
	}
	e.conns[c] = true
}

func (e *entrantConns) remove(c network.Conn) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.conns, c)
}

// any reports whether some connection is an entrant's: most of the time
// none is.
func (e *entrantConns) any() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.conns) > 0
}

func (e *entrantConns) has(c network.Conn) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.conns[c]
}

// only reports whether every open connection of conns is an entrant's.
func (e *entrantConns) only(conns []network.Conn) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range conns {
		if !e.conns[c] {
			return false
		}
	}
	return len(conns) > 0
}

// closeEntrantLater closes an entrant's connection after EntrantGrace.
func (n *Node) closeEntrantLater(c network.Conn) {
	n.goTracked(func() {
		t := time.NewTimer(EntrantGrace)
		defer t.Stop()
		select {
		case <-n.ctx.Done():
		case <-t.C:
			if n.entrants.has(c) {
				c.Close()
			}
		}
	})
}

// Promote closes the entrant connections of a peer the log let in since:
// the node never reported them, and both ends connect again as
// colleagues. It reports whether there were any.
func (n *Node) Promote(id peer.ID) bool {
	if n.entrant(id) {
		return false
	}
	closed := false
	for _, c := range n.host.Network().ConnsToPeer(id) {
		if n.entrants.has(c) {
			c.Close()
			closed = true
		}
	}
	return closed
}
