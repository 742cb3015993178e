package p2p

// NetStats counts what the network layer holds right now.
type NetStats struct {
	Conns     int `json:"conns"`
	Streams   int `json:"streams"`
	Peerstore int `json:"peerstore"` // peers the address book knows, connected or not
}

// Stats counts live connections and streams and the peers in the address
// book, which a flood of announcements must not grow without bound.
func (n *Node) Stats() NetStats {
	var st NetStats
	for _, c := range n.host.Network().Conns() {
		st.Conns++
		st.Streams += len(c.GetStreams())
	}
	st.Peerstore = len(n.host.Peerstore().Peers())
	return st
}
