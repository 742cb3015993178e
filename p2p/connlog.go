package p2p

import (
	"time"

	"github.com/libp2p/go-libp2p/core/network"
)

// logClosed says, at debug level, that a connection closed: through a
// relay or direct, whether another to the same colleague stays, and how
// long it lasted. An office whose connections keep closing says so in its
// log.
func (n *Node) logClosed(c network.Conn) {
	what := "connection closed"
	switch {
	case isCircuit(c.RemoteMultiaddr()):
		what = "relay circuit closed"
	case len(n.host.Network().ConnsToPeer(c.RemotePeer())) > 0:
		what = "connection closed, another stays"
	}
	st := c.Stat()
	n.log.Debug(what, "peer", c.RemotePeer(), "lasted", time.Since(st.Opened).Round(time.Millisecond), "direction", st.Direction)
}
