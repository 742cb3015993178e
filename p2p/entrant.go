package p2p

import (
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

// handle registers a protocol handler that entrants never reach.
func (n *Node) handle(proto protocol.ID, h network.StreamHandler) {
	n.host.SetStreamHandler(proto, func(s network.Stream) {
		if n.entrant(s.Conn().RemotePeer()) {
			s.Reset()
			return
		}
		h(s)
	})
}

// closeEntrantLater closes an entrant's connections after EntrantGrace,
// unless the log let it in meanwhile.
func (n *Node) closeEntrantLater(id peer.ID) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		t := time.NewTimer(EntrantGrace)
		defer t.Stop()
		select {
		case <-n.ctx.Done():
		case <-t.C:
			if n.entrant(id) {
				n.host.Network().ClosePeer(id)
			}
		}
	}()
}
