package p2p

import "github.com/libp2p/go-libp2p/core/peer"

// Disconnect closes every connection to id and the bulk lanes it holds.
// Called once a key is blocked: from then on the gater refuses it (see
// Config.Blocked), so it stays out.
func (n *Node) Disconnect(id peer.ID) {
	n.bulk.drop(id)
	n.host.Network().ClosePeer(id)
}
