package people

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"hallway/discovery"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// While colleagues' machines are too busy to finish connecting in time,
// a node runs fewer dials at once, down to one; once dials connect again,
// it runs more, up to maxConcurrentDials. Dials that find nobody at the
// address change nothing, nor do peers one colleague alone introduced.
func TestDialerRunsFewerDialsWhileMachinesAreBusy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := newFakeNet(t)
		var mu sync.Mutex
		running, most := 0, 0
		outcome := fmt.Errorf("%w: identify failed to complete: context deadline exceeded", p2p.ErrSlowHandshake)
		net.connect = func(ctx context.Context, _ peer.ID, _ []ma.Multiaddr) error {
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			<-time.After(time.Second) // the handshake takes its time
			mu.Lock()
			defer mu.Unlock()
			running--
			return outcome
		}
		d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore()})
		runDialer(t, d)
		rogue := newID(t)
		sight := func(n int, via string) {
			for range n {
				d.mu.Lock()
				a := addr(t, fmt.Sprintf("/ip4/10.0.%d.%d/tcp/4001", len(d.st)/200, len(d.st)%200+1))
				d.mu.Unlock()
				d.PeerSeen(context.Background(), discovery.Sighting{ID: newID(t), Addrs: []ma.Multiaddr{a}, Via: via, From: rogue})
			}
		}
		phase := func(what string, outcomeNow error, want func(int) bool) {
			t.Helper()
			mu.Lock()
			outcome, most = outcomeNow, 0
			mu.Unlock()
			via := discovery.ViaMDNS
			if what == soleWord {
				via = discovery.ViaPeer
			}
			sight(24, via)
			for range 24 { // long enough for every sighting to be dialled
				time.Sleep(time.Second)
				synctest.Wait()
			}
			mu.Lock()
			defer mu.Unlock()
			if !want(most) {
				t.Fatalf("%s: %d dials ran at once at most", what, most)
			}
		}
		hintWorkers := maxConcurrentDials - 1 // one worker is kept for colleagues
		phase(soleWord, outcome, func(n int) bool { return n == introducerDials })
		phase("first dials, busy machines", outcome, func(n int) bool { return n == hintWorkers })
		phase("while machines are busy", outcome, func(n int) bool { return n == 1 })
		phase("nobody at the addresses", fmt.Errorf("%w: no route", p2p.ErrUnreachable), func(n int) bool { return n == 1 })
		phase("machines connecting again", nil, func(n int) bool { return n > 1 })
		phase("connecting since", nil, func(n int) bool { return n == hintWorkers })
	})
}

// soleWord names the phase whose peers one colleague alone introduced.
const soleWord = "introduced by one colleague alone, busy machines"
