package p2p

import (
	"slices"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// connChanged turns per-connection notifications into per-peer online and
// offline transitions. Notifications must not block the swarm, so the
// handler runs on its own goroutine; the mutex keeps transitions in order.
func (n *Node) connChanged(id peer.ID) {
	n.pokeReservations()
	n.goTracked(func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if n.ctx.Err() != nil {
			return
		}
		var live []network.Conn
		if n.host.Network().Connectedness(id) == network.Connected {
			live = n.host.Network().ConnsToPeer(id)
		}
		if len(live) > 0 && n.refused(id) {
			// Blocked while this connection was being set up: the gater
			// let it through a moment before the block.
			n.host.Network().ClosePeer(id)
			live = nil
		}
		if n.entrants.only(live) {
			live = nil // here only to enter by a pass: not a colleague yet
		}
		switch n.connected.update(id, live) {
		case cameOnline:
			n.handler.PeerConnected(id)
		case reconnected:
			// Away and back before we looked: the new connection is
			// caught up as a first one is. Nobody was told of the gap,
			// so nobody is told it ended with an offline first.
			n.handler.PeerConnected(id)
		case wentOffline:
			n.bulk.drop(id)
			n.handler.PeerDisconnected(id)
		}
	})
}

// IsConnected reports whether there is a live connection to id, other
// than an entrant's (entrant.go). Most of the time no connection is an
// entrant's, and neither this nor ConnectedPeers looks up a peer's
// connections to learn so: the dialer's sweeps ask it of every colleague
// every few seconds.
func (n *Node) IsConnected(id peer.ID) bool {
	if n.host.Network().Connectedness(id) != network.Connected {
		return false
	}
	return !n.entrants.any() || !n.entrants.only(n.host.Network().ConnsToPeer(id))
}

// ConnectedPeers lists the peers with a live connection, entrants aside.
func (n *Node) ConnectedPeers() []peer.ID {
	peers := n.host.Network().Peers()
	if !n.entrants.any() {
		return peers
	}
	return slices.DeleteFunc(peers, func(id peer.ID) bool {
		return n.entrants.only(n.host.Network().ConnsToPeer(id))
	})
}
