package people

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"hallway/discovery"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// A colleague gone rogue introduces 64 made-up colleagues whose dials
// hang; another colleague then introduces a real newcomer. The made-up
// ones take no more than their introducer's share of the queue and of
// the workers, so the newcomer is dialled at once, and each made-up one
// is given up after a few tries.
func TestDialerSharesHintsBetweenIntroducers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		net := newFakeNet(t)
		mallory, cat, newcomer := newID(t), newID(t), newID(t)
		var mu sync.Mutex // guards the counts
		made, running, most := map[peer.ID]int{}, 0, 0
		net.connect = func(ctx context.Context, id peer.ID, _ []ma.Multiaddr) error {
			if id == newcomer {
				return nil
			}
			mu.Lock()
			made[id]++
			running++
			most = max(most, running)
			mu.Unlock()
			<-ctx.Done() // a tarpit: the dial hangs until its timeout
			mu.Lock()
			running--
			mu.Unlock()
			return ctx.Err()
		}
		d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore()})
		for i := range 64 {
			at := addr(t, fmt.Sprintf("/ip4/10.0.3.%d/tcp/%d", i+1, 4000+i))
			d.PeerSeen(ctx, discovery.Sighting{ID: newID(t), Addrs: []ma.Multiaddr{at}, Via: discovery.ViaPeer, From: mallory})
		}
		d.PeerSeen(ctx, discovery.Sighting{ID: newcomer, Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.9/tcp/4001")}, Via: discovery.ViaPeer, From: cat})
		done := make(chan struct{})
		go func() { defer close(done); d.Run(ctx) }()
		defer func() { cancel(); <-done }()

		time.Sleep(time.Second) // less than one made-up dial's timeout
		synctest.Wait()
		if !net.IsConnected(newcomer) {
			t.Fatal("the newcomer waits behind the made-up colleagues of one introducer")
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		if most > introducerDials {
			t.Fatalf("%d dials of one introducer's made-up colleagues at once, want at most %d", most, introducerDials)
		}
		if len(made) != 64 {
			t.Fatalf("%d of 64 made-up colleagues dialled in an hour: those waiting their turn must get it", len(made))
		}
		for id, n := range made {
			if n != 1+soleHintRetries {
				t.Fatalf("%s, on one colleague's word, dialled %d times, want %d", id.ShortString(), n, 1+soleHintRetries)
			}
		}
	})
}

// A peer a second colleague also introduces, or mDNS announces, no
// longer rests on one word: it is tried as long as any hint.
func TestDialerVouchedHintGetsEveryRetry(t *testing.T) {
	ann, bob := newID(t), newID(t)
	for _, second := range []discovery.Sighting{
		{Via: discovery.ViaPeer, From: bob},
		{Via: discovery.ViaMDNS},
	} {
		var st dialState
		st.vouch(discovery.ViaPeer, ann)
		st.vouch(discovery.ViaPeer, ann)
		if st.retries() != soleHintRetries {
			t.Fatalf("named twice by one colleague: %d retries, want %d", st.retries(), soleHintRetries)
		}
		st.vouch(second.Via, second.From)
		st.vouch(discovery.ViaPeer, ann)
		if st.sole != "" || st.retries() != hintRetries {
			t.Fatalf("after a sighting via %s: sole %q, %d retries, want every one", second.Via, st.sole, st.retries())
		}
	}
}
