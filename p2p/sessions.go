package p2p

import (
	"slices"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// transition is what a change in a peer's connections means to the
// handler.
type transition int

const (
	unchanged   transition = iota
	cameOnline             // the first live connection
	wentOffline            // the last one is gone
	reconnected            // every connection we knew closed and a new one opened
)

// sessions remembers, per online peer, the connections it was last seen
// with. Notifications of a connection's end and of the next one's start run
// on goroutines of their own and may both be handled only once the new
// connection is up: by the counts alone the peer never left, and a
// colleague back after a blip would get no catch-up. The connections tell:
// when none of those we knew is still open, the peer was away in between.
type sessions map[peer.ID][]network.Conn

// update records id's live connections (nil when it has none) and says
// what changed.
func (s sessions) update(id peer.ID, live []network.Conn) transition {
	known, was := s[id]
	switch {
	case len(live) == 0 && !was:
		return unchanged
	case len(live) == 0:
		delete(s, id)
		return wentOffline
	}
	s[id] = slices.Clone(live)
	switch {
	case !was:
		return cameOnline
	case slices.ContainsFunc(known, func(c network.Conn) bool { return slices.Contains(live, c) }):
		return unchanged
	default:
		return reconnected
	}
}
