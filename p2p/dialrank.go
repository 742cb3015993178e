package p2p

import (
	"cmp"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	ma "github.com/multiformats/go-multiaddr"
)

// relayDialDelay is how long a dial tries a colleague's own addresses
// before its circuits through relays. libp2p's ranker holds circuits back
// only where a public address exists; on a LAN it dials them at once,
// beside the direct ones, so that every colleague met cost a stream on a
// relay and, with introductions naming circuits, an office arriving
// together flooded its relays. A direct dial that fails (refused,
// unreachable) lets the circuits go at once; one that hangs (a network
// that drops the packets) holds them back this long.
const relayDialDelay = 2 * time.Second

// lanDialRanker orders a dial: the colleague's own addresses as libp2p
// ranks them, then its circuits, the first relayDialDelay after the last
// own address. With no own address the circuits go at once.
func lanDialRanker(addrs []ma.Multiaddr) []network.AddrDelay {
	var own, relayed []ma.Multiaddr
	for _, a := range addrs {
		if isCircuit(a) {
			relayed = append(relayed, a)
		} else {
			own = append(own, a)
		}
	}
	out := swarm.DefaultDialRanker(own)
	var after time.Duration
	if len(out) > 0 {
		after = slices.MaxFunc(out, func(a, b network.AddrDelay) int { return cmp.Compare(a.Delay, b.Delay) }).Delay + relayDialDelay
	}
	for _, d := range swarm.DefaultDialRanker(relayed) {
		d.Delay += after
		out = append(out, d)
	}
	return out
}
