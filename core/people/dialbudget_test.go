package people

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"hallway/discovery"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// A colleague whose machine takes 8 s to complete a handshake is reached
// by a node connected to nobody (it waits as long as a dial may), and not
// by one with colleagues online, which keeps its dials short.
func TestDialerAloneWaitsForASlowHandshake(t *testing.T) {
	for _, alone := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			net := newFakeNet(t)
			if !alone {
				net.link(newID(t))
			}
			slow := newID(t)
			net.connect = func(ctx context.Context, id peer.ID, _ []ma.Multiaddr) error {
				answered := time.NewTimer(8 * time.Second)
				defer answered.Stop()
				select {
				case <-answered.C:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore()})
			d.PeerSeen(ctx, discovery.Sighting{ID: slow, Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.9/tcp/4001")}, Via: "mdns"})
			done := make(chan struct{})
			go func() { defer close(done); d.Run(ctx) }()
			defer func() { cancel(); <-done }()
			time.Sleep(time.Minute)
			synctest.Wait()
			switch got := net.IsConnected(slow); {
			case alone && !got:
				t.Fatal("alone, a colleague slow to shake hands was never reached")
			case !alone && got:
				t.Fatal("with a colleague online, a dial waited past its short budget")
			}
		})
	}
}
