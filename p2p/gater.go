package p2p

import (
	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// lanGater refuses every connection whose remote end is not on the LAN, in
// both directions, before any handshake work is done; and every connection
// to or from a refused key (Refused), in both directions, once the
// handshake has proved whose it is.
type lanGater struct {
	// admission is the node's verdict on a key; nil admits everyone.
	admission func(peer.ID) Admission
	nets      *officeNets
}

var _ connmgr.ConnectionGater = lanGater{}

func (g lanGater) isBlocked(id peer.ID) bool { return g.admission != nil && g.admission(id) == Refused }

func (g lanGater) InterceptPeerDial(id peer.ID) bool { return !g.isBlocked(id) }

func (g lanGater) InterceptAddrDial(_ peer.ID, a ma.Multiaddr) bool { return g.nets.allowsAddr(a) }

func (g lanGater) InterceptAccept(addrs network.ConnMultiaddrs) bool {
	return g.nets.allowsAddr(addrs.RemoteMultiaddr())
}

// InterceptSecured runs once Noise has authenticated the remote key: an
// inbound connection from a blocked key ends here, before any stream.
func (g lanGater) InterceptSecured(_ network.Direction, id peer.ID, _ network.ConnMultiaddrs) bool {
	return !g.isBlocked(id)
}

func (g lanGater) InterceptUpgraded(c network.Conn) (bool, control.DisconnectReason) {
	return !g.isBlocked(c.RemotePeer()), 0
}
