package p2p

import (
	"testing"

	ma "github.com/multiformats/go-multiaddr"
)

// A colleague's circuits are dialled only relayDialDelay after its own
// addresses, which libp2p's ranker would dial side by side on a LAN; a
// colleague known by circuits alone is dialled through them at once.
func TestCircuitsDialledAfterOwnAddresses(t *testing.T) {
	relay := "/p2p/12D3KooWNG5sWhe4i3YyGrL1zk3EZrZCjM6DAWAGMBoUF6LE8jzW/p2p-circuit"
	own := []ma.Multiaddr{ma.StringCast("/ip4/192.168.1.20/tcp/4001"), ma.StringCast("/ip6/fd00::20/tcp/4001")}
	circuits := []ma.Multiaddr{
		ma.StringCast("/ip4/192.168.1.5/tcp/4001" + relay),
		ma.StringCast("/ip4/192.168.1.6/tcp/4001" + relay),
	}
	ranked := lanDialRanker(append(append([]ma.Multiaddr{}, circuits[0]), append(own, circuits[1])...))
	if len(ranked) != 4 {
		t.Fatalf("ranked %d addresses of 4: %v", len(ranked), ranked)
	}
	lastOwn, firstCircuit := ranked[0].Delay, ranked[len(ranked)-1].Delay
	for _, r := range ranked {
		if isCircuit(r.Addr) {
			firstCircuit = min(firstCircuit, r.Delay)
		} else {
			lastOwn = max(lastOwn, r.Delay)
		}
	}
	if firstCircuit < lastOwn+relayDialDelay {
		t.Fatalf("a circuit is dialled %s in, the own addresses by %s: %v", firstCircuit, lastOwn, ranked)
	}

	alone := lanDialRanker(circuits)
	if len(alone) != 2 || alone[0].Delay != 0 {
		t.Fatalf("circuits alone are held back: %v", alone)
	}
}
