// Package discovery finds colleagues on the local network and reports
// "peer P was seen at addresses A" to a Sink.
//
// MDNS announces this node as a DNS-SD service (_hallway._tcp) over
// multicast DNS and browses for the others in rounds; Static reports
// addresses a user configured, for networks where multicast does not reach.
//
// A sighting is a hint, not a fact: the package does not connect, does not
// authenticate (anyone can announce any peer ID; the libp2p handshake proves
// it), and does not decide who is online — that comes from live connections.
// It never announces display names or anything but the peer ID, the public
// workspace tag and a format version. It imports nothing of Hallway.
//
// MDNS creates all its sockets on the goroutine that calls Run, so running
// Run on a thread inside a network namespace keeps discovery in that
// namespace.
package discovery

import (
	"context"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
)

// Where a sighting came from.
const (
	ViaMDNS   = "mdns"
	ViaStatic = "static"
	ViaPeer   = "peer" // a colleague's introduction
)

// Sighting says that a peer was seen, or is configured, at some addresses.
type Sighting struct {
	ID    peer.ID
	Addrs []multiaddr.Multiaddr // transport addresses without /p2p, e.g. /ip4/A/tcp/P
	Via   string                // ViaMDNS, ViaStatic or ViaPeer
	From  peer.ID               // with ViaPeer: the colleague who introduced it
}

// Sink receives sightings. PeerSeen is called from the discovery goroutine
// and must not block for long; the slice in s is the sink's to keep.
type Sink interface {
	PeerSeen(ctx context.Context, s Sighting)
}
