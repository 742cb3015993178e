package p2p

import (
	"context"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/protocol/identify"
)

// directWait bounds one attempt to reach a relayed colleague directly:
// identify, then the dial.
const directWait = 15 * time.Second

// preferDirect tries a direct connection beside c, a connection through a
// relay. A relay carries a colleague only after the direct addresses were
// tried for relayDialDelay, so a direct dial that was merely slow (a busy
// machine, a burst of handshakes as an office starts) loses to it; left
// so, the two colleagues lose each other the moment the relaying one
// leaves, and take one of its few circuits meanwhile. Where a direct path
// does not exist (client isolation), the one attempt fails and the relay
// stays. The swarm prefers the direct connection for every new stream.
func (n *Node) preferDirect(c network.Conn) {
	id := c.RemotePeer()
	n.goTracked(func() {
		ctx, cancel := context.WithTimeout(n.ctx, directWait)
		defer cancel()
		// The colleague's own addresses may come with identify.
		if ids, ok := n.host.(interface{ IDService() identify.IDService }); ok {
			select {
			case <-ids.IDService().IdentifyWait(c):
			case <-ctx.Done():
				return
			}
		}
		if n.Via(id) == ViaDirect || !slices.ContainsFunc(n.host.Peerstore().Addrs(id), n.nets.allowsOwnAddr) {
			return
		}
		if err := n.DialDirect(ctx, id); err != nil {
			n.log.Debug("no direct path to a relayed colleague", "peer", id, "err", err)
			return
		}
		n.log.Debug("reached a relayed colleague directly", "peer", id)
	})
}
