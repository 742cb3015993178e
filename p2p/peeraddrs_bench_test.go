package p2p

import (
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// bookedColleague puts a colleague in n's address book as an office's
// introductions leave it: two own addresses and a dozen circuits through
// other colleagues' relays.
func bookedColleague(b *testing.B, n *Node) peer.ID {
	b.Helper()
	id := testPeer(b)
	addrs := []ma.Multiaddr{ma.StringCast("/ip4/192.168.1.20/tcp/4001"), ma.StringCast("/ip6/fd00::20/tcp/4001")}
	for i := range 12 {
		relay := testPeer(b)
		addrs = append(addrs, ma.StringCast(fmt.Sprintf("/ip4/192.168.1.%d/tcp/4001/p2p/%s/p2p-circuit", 30+i, relay)))
	}
	n.host.Peerstore().AddAddrs(id, addrs, time.Hour)
	return id
}

// What building one colleague's part of an introduction costs: its
// addresses, and whether our relay may be named for it. An office's
// pushes do this for every colleague of every push.
func BenchmarkIntroductionOfOneColleague(b *testing.B) {
	n, _ := newTestNode(b, nil)
	id := bookedColleague(b, n)
	b.ReportAllocs()
	for b.Loop() {
		if len(n.PeerAddrs(id)) == 0 {
			b.Fatal("no addresses")
		}
		n.MayRelayFor(id)
	}
}
