package p2p

import (
	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// lanGater refuses every connection whose remote end is not on the LAN, in
// both directions, before any handshake work is done.
type lanGater struct{}

var _ connmgr.ConnectionGater = lanGater{}

func (lanGater) InterceptPeerDial(peer.ID) bool { return true }

func (lanGater) InterceptAddrDial(_ peer.ID, a ma.Multiaddr) bool {
	ip, ok := multiaddrIP(a)
	return ok && isLANAddr(ip)
}

func (lanGater) InterceptAccept(addrs network.ConnMultiaddrs) bool {
	ip, ok := multiaddrIP(addrs.RemoteMultiaddr())
	return ok && isLANAddr(ip)
}

func (lanGater) InterceptSecured(network.Direction, peer.ID, network.ConnMultiaddrs) bool {
	return true
}

func (lanGater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) {
	return true, 0
}
