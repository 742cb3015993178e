package p2p

import "github.com/libp2p/go-libp2p/core/peer"

// Admission is what a node makes of a peer's key (Config.Admission),
// decided once per question by the layer that knows the workspace, and
// read by the gater, every protocol handler and gossip alike.
type Admission uint8

const (
	// Admitted is a colleague: every protocol is open to it.
	Admitted Admission = iota
	// Entrant may only enter the workspace by a pass (ProtoEnter): every
	// other protocol is refused it, gossip ignores it, it is never
	// reported connected, and its connections close after EntrantGrace.
	Entrant
	// Refused is blocked by the user, revoked, or never admitted: its
	// connections are refused both ways once its key is authenticated,
	// and its gossip is never accepted.
	Refused
)

// refused reports whether the node refuses id's connections.
func (n *Node) refused(id peer.ID) bool { return n.admission(id) == Refused }

// entrant reports whether id may connect only to enter by a pass.
func (n *Node) entrant(id peer.ID) bool { return n.admission(id) == Entrant }
