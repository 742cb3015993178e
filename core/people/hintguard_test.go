package people

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"hallway/discovery"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// dialRecorder is a fake dial that fails at once and records what it tried.
type dialRecorder struct {
	// mu guards tried.
	mu    sync.Mutex
	tried []string
}

func (r *dialRecorder) connect(_ context.Context, _ peer.ID, addrs []ma.Multiaddr) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range addrs {
		r.tried = append(r.tried, a.String())
	}
	return errors.New("refused")
}

func (r *dialRecorder) attempts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.tried...)
}

// startDialer runs a dialer on a fake net whose dials fail, inside a bubble.
func startDialer(t *testing.T) (*Dialer, *dialRecorder) {
	t.Helper()
	net := newFakeNet(t)
	rec := &dialRecorder{}
	net.connect = rec.connect
	d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return d, rec
}

// Hints from mDNS or colleagues never lead a dial to a system port or a
// well-known service; the same hint on Hallway's port is dialled, and so
// is any address the user configured.
func TestDialerRefusesHintsToServicePorts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, rec := startDialer(t)
		ctx := context.Background()
		for i, at := range []string{"/ip4/10.0.0.5/tcp/9100", "/ip4/10.0.0.5/tcp/22", "/ip4/10.0.0.5/tcp/515",
			"/ip4/10.0.0.5/tcp/631", "/ip4/10.0.0.5/udp/3389/quic-v1", "/ip6/fe80::1/tcp/5900", "/ip4/10.0.0.5/tcp/3306",
			"/ip4/10.0.0.5/tcp/5432", "/ip4/10.0.0.5/tcp/1433", "/ip4/10.0.0.5/tcp/6379", "/dns4/printer.lan/tcp/9100",
			"/ip4/10.0.0.5/tcp/0"} {
			for _, via := range []string{discovery.ViaMDNS, "peer"} {
				id := peer.ID(fmt.Sprintf("hint-%d-%s", i, via))
				d.PeerSeen(ctx, discovery.Sighting{ID: id, Addrs: []ma.Multiaddr{addr(t, at)}, Via: via})
			}
		}
		synctest.Wait()
		if tried := rec.attempts(); len(tried) != 0 {
			t.Fatalf("hints led to dials of %v", tried)
		}

		d.PeerSeen(ctx, discovery.Sighting{ID: "mixed", Via: discovery.ViaMDNS,
			Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.5/tcp/9100"), addr(t, "/ip4/10.0.0.5/tcp/4001")}})
		synctest.Wait()
		if tried := rec.attempts(); len(tried) != 1 || tried[0] != "/ip4/10.0.0.5/tcp/4001" {
			t.Fatalf("dialled %v, want only the Hallway port of the hint", tried)
		}

		d.PeerSeen(ctx, discovery.Sighting{ID: "configured", Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.6/tcp/22")}, Via: discovery.ViaStatic})
		synctest.Wait()
		if tried := rec.attempts(); len(tried) != 2 || tried[1] != "/ip4/10.0.0.6/tcp/22" {
			t.Fatalf("dialled %v, want the configured address dialled as given", tried)
		}
	})
}

// A flood of hints for one host and port, each claiming a new peer id,
// leads to one dial per interval, and the guard's memory stays bounded.
func TestDialerLimitsHintsPerAddress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, rec := startDialer(t)
		ctx := context.Background()
		victim := addr(t, "/ip4/10.0.0.9/tcp/4001")
		flood := func(round int) {
			for i := range 1000 {
				id := peer.ID(fmt.Sprintf("made-up-%d-%d", round, i))
				d.PeerSeen(ctx, discovery.Sighting{ID: id, Addrs: []ma.Multiaddr{victim}, Via: discovery.ViaMDNS})
				if i%100 == 0 {
					synctest.Wait()
				}
			}
			synctest.Wait()
		}
		flood(0)
		if n := len(rec.attempts()); n != 1 {
			t.Fatalf("%d dials of one address for 1000 hints, want 1", n)
		}
		time.Sleep(hintAddrInterval / 2)
		flood(1)
		if n := len(rec.attempts()); n != 1 {
			t.Fatalf("%d dials within the interval, want 1", n)
		}
		time.Sleep(hintAddrInterval)
		flood(2)
		if n := len(rec.attempts()); n != 2 {
			t.Fatalf("%d dials after the interval, want 2", n)
		}

		for i := range 3 * maxHintAddrs {
			id := peer.ID(fmt.Sprintf("spread-%d", i))
			at := addr(t, fmt.Sprintf("/ip4/10.0.%d.%d/tcp/4001", i/250, i%250+1))
			d.PeerSeen(ctx, discovery.Sighting{ID: id, Addrs: []ma.Multiaddr{at}, Via: discovery.ViaMDNS})
		}
		d.hintGuard.mu.Lock()
		remembered := len(d.hintGuard.last)
		d.hintGuard.mu.Unlock()
		if remembered > maxHintAddrs {
			t.Fatalf("the guard remembers %d addresses, want at most %d", remembered, maxHintAddrs)
		}
	})
}
