package p2p

import (
	"slices"
	"testing"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// IsConnected and ConnectedPeers agree: a colleague connected is listed,
// one never met or disconnected is not. (An entrant's connection is left
// out of both: TestEntrantReachesTheEnterProtocolAlone.)
func TestIsConnectedAndConnectedPeersAgree(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	c, _ := newTestNode(t, nil)
	connect(t, a, b)
	if got := a.ConnectedPeers(); !slices.Equal(got, []peer.ID{b.ID()}) || !a.IsConnected(b.ID()) || a.IsConnected(c.ID()) {
		t.Fatalf("ConnectedPeers = %v, IsConnected(b) = %v, IsConnected(c) = %v; want b alone",
			got, a.IsConnected(b.ID()), a.IsConnected(c.ID()))
	}
	a.Disconnect(b.ID())
	if got := a.ConnectedPeers(); len(got) != 0 || a.IsConnected(b.ID()) {
		t.Fatalf("after the disconnect ConnectedPeers = %v, IsConnected(b) = %v", got, a.IsConnected(b.ID()))
	}
}

// What learning who is connected costs a node whose colleagues all are
// (30 here), with no entrant among them, as most of the time: IsConnected
// of each in turn (the dialer's sweeps) and ConnectedPeers, beside the
// same with each peer's connections looked up for entrants, as before.
func BenchmarkConnectedColleagues(b *testing.B) {
	a, _ := newTestNode(b, nil)
	var ids []peer.ID
	for range 30 {
		c, _ := newTestNode(b, nil)
		connect(b, a, c)
		ids = append(ids, c.ID())
	}
	net := a.host.Network()
	b.Run("IsConnected of each", func(b *testing.B) {
		for b.Loop() {
			for _, id := range ids {
				if !a.IsConnected(id) {
					b.Fatal("not connected")
				}
			}
		}
	})
	b.Run("IsConnected of each, connections looked up (baseline)", func(b *testing.B) {
		for b.Loop() {
			for _, id := range ids {
				if net.Connectedness(id) != network.Connected || a.entrants.only(net.ConnsToPeer(id)) {
					b.Fatal("not connected")
				}
			}
		}
	})
	b.Run("ConnectedPeers", func(b *testing.B) {
		for b.Loop() {
			if len(a.ConnectedPeers()) != len(ids) {
				b.Fatal("not all connected")
			}
		}
	})
	b.Run("ConnectedPeers, connections looked up (baseline)", func(b *testing.B) {
		for b.Loop() {
			peers := slices.DeleteFunc(net.Peers(), func(id peer.ID) bool { return a.entrants.only(net.ConnsToPeer(id)) })
			if len(peers) != len(ids) {
				b.Fatal("not all connected")
			}
		}
	})
}
