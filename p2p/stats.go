package p2p

import "github.com/libp2p/go-libp2p/core/peer"

// NetStats counts what the network layer holds right now, and the room
// sync answered since it started: envelopes sent again and again, round
// after round, would show there.
type NetStats struct {
	Conns     int `json:"conns"`
	Streams   int `json:"streams"`
	Peerstore int `json:"peerstore"` // peers the address book knows, connected or not
	// Room gossip of others accepted by validation since the start, and
	// the gossip it dropped: rejected as
	// invalid (held against the senders' scores), ignored (already held,
	// a blocked author, beyond the author's room quota), and of those,
	// beyond the quota.
	RoomAccepted  int64 `json:"room_accepted"` // others' messages taken
	RoomRejected  int64 `json:"room_rejected"`
	RoomIgnored   int64 `json:"room_ignored"`
	RoomOverQuota int64 `json:"room_over_quota"`
	// Graylisted counts the connected peers whose gossip is dropped
	// unread for their score.
	Graylisted int `json:"graylisted"`
	// BulkLanes counts the bulk lanes (bulktls.go) this node served
	// files over since the start.
	BulkLanes   int64  `json:"bulk_lanes_served"`
	SyncAnswers uint64 `json:"sync_answers"` // sync requests answered
	SyncServed  uint64 `json:"sync_served"`  // envelopes sent in sync answers
	// RelayedConns are the connections that go through a colleague's
	// relay, and RelayedOnly the colleagues reached through one alone.
	RelayedConns int `json:"relayed_conns"`
	RelayedOnly  int `json:"relayed_only"`
	// PingsUnanswered counts the keep-alive pings (keepalive.go) left
	// unanswered in their wait since the start, and KeepAliveClosed the
	// connections closed for them.
	PingsUnanswered uint64 `json:"pings_unanswered"`
	KeepAliveClosed uint64 `json:"keepalive_closed"`
}

// Stats counts live connections and streams and the peers in the address
// book, which a flood of announcements must not grow without bound.
func (n *Node) Stats() NetStats {
	var st NetStats
	direct := make(map[peer.ID]bool) // per connected peer: any open direct connection
	for _, c := range n.host.Network().Conns() {
		st.Conns++
		st.Streams += len(c.GetStreams())
		relayed := isCircuit(c.RemoteMultiaddr())
		if relayed {
			st.RelayedConns++
		}
		if !c.IsClosed() {
			id := c.RemotePeer()
			direct[id] = direct[id] || !relayed
		}
	}
	for _, d := range direct {
		if !d {
			st.RelayedOnly++
		}
	}
	st.Peerstore = len(n.host.Peerstore().Peers())
	st.RoomAccepted = n.gossip.accepted.Load()
	st.RoomRejected = n.gossip.rejected.Load()
	st.RoomIgnored = n.gossip.ignored.Load()
	st.RoomOverQuota = n.gossip.overQuota.Load()
	st.Graylisted = n.scores.graylisted(n.IsConnected)
	st.BulkLanes = n.BulkLanesServed()
	st.SyncAnswers, st.SyncServed = n.syncAnswers.Load(), n.syncServed.Load()
	st.PingsUnanswered, st.KeepAliveClosed = n.pingMisses.Load(), n.keepAliveClosed.Load()
	return st
}
