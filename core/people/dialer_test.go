package people

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"hallway/discovery"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// runDialer runs d until the test ends.
func runDialer(t *testing.T, d *Dialer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitDial waits until the dial of id has been attempted.
func waitDial(t *testing.T, dialled <-chan peer.ID, id peer.ID) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case got := <-dialled:
			if got == id {
				return
			}
		case <-deadline:
			t.Fatalf("%s was never dialled", id.ShortString())
		}
	}
}

// A flood of announcements of made-up peers whose dials hang neither piles
// up goroutines nor grows the queue, and a configured colleague is still
// dialled at once.
func TestDialerBoundsAFloodOfSightings(t *testing.T) {
	net := newFakeNet(t)
	bob := newID(t)
	dialled := make(chan peer.ID, 16)
	net.connect = func(ctx context.Context, id peer.ID, _ []ma.Multiaddr) error {
		if id == bob {
			dialled <- id
			return nil
		}
		<-ctx.Done() // a tarpit: the dial hangs until its timeout
		return ctx.Err()
	}
	d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore()})
	runDialer(t, d)
	before := runtime.NumGoroutine()
	for i := range 5000 {
		made := peer.ID(fmt.Sprintf("made-up-%d", i))
		tarpit := addr(t, fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 20000+i)) // a new port each: the per-address limit lets each through
		d.PeerSeen(context.Background(), discovery.Sighting{ID: made, Addrs: []ma.Multiaddr{tarpit}, Via: discovery.ViaMDNS})
	}
	if grown := runtime.NumGoroutine() - before; grown > 200 {
		t.Fatalf("5000 sightings left %d more goroutines; dials must wait in a bounded queue", grown)
	}
	d.mu.Lock()
	dropped, queued := d.dropped, len(d.hints)
	d.mu.Unlock()
	if dropped == 0 || queued > maxQueuedHints {
		t.Fatalf("dropped %d sightings, %d queued: want the excess dropped", dropped, queued)
	}
	d.PeerSeen(context.Background(), discovery.Sighting{ID: bob, Addrs: []ma.Multiaddr{addr(t, "/ip4/127.0.0.1/tcp/4001")}, Via: discovery.ViaStatic})
	waitDial(t, dialled, bob)
}

// A failed dial is remembered (the directory shows why) and is not
// retried at the same addresses before its back-off, unless forced.
func TestDialerBacksOffAndReconnectForces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		net := newFakeNet(t)
		bob := newID(t)
		at := "/ip4/10.0.0.2/tcp/4001"
		store := newFakeStore()
		store.peers[bob.String()] = storage.Peer{ID: bob.String(), Name: "Bob", Addrs: []string{at}}
		var mu sync.Mutex // guards refuse and attempts
		refuse, attempts := true, 0
		net.connect = func(context.Context, peer.ID, []ma.Multiaddr) error {
			mu.Lock()
			defer mu.Unlock()
			attempts++
			if refuse {
				return errors.New("different workspace")
			}
			return nil
		}
		d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: store})
		done := make(chan struct{})
		go func() { defer close(done); d.Run(ctx) }()
		synctest.Wait() // the first round has dialled Bob and failed

		if err := d.LastError(bob); err == nil || err.Error() != "different workspace" {
			t.Fatalf("LastError = %v", err)
		}
		d.PeerSeen(ctx, discovery.Sighting{ID: bob, Addrs: []ma.Multiaddr{addr(t, at)}, Via: discovery.ViaMDNS})
		synctest.Wait()
		mu.Lock()
		if attempts != 1 {
			t.Fatalf("%d attempts, want the failed addresses left alone within the back-off", attempts)
		}
		refuse = false
		mu.Unlock()
		d.Reconnect(ctx, bob)
		synctest.Wait()
		if !net.IsConnected(bob) || d.LastError(bob) != nil {
			t.Fatalf("Reconnect did not connect: %v", d.LastError(bob))
		}
		cancel()
		<-done
	})
}

func TestDialerSkipsItselfAndTheConnected(t *testing.T) {
	net := newFakeNet(t)
	bob := newID(t)
	net.link(bob)
	d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore()})
	a := []ma.Multiaddr{addr(t, "/ip4/10.0.0.2/tcp/4001")}
	d.PeerSeen(context.Background(), discovery.Sighting{ID: net.self, Addrs: a, Via: discovery.ViaStatic})
	d.PeerSeen(context.Background(), discovery.Sighting{ID: bob, Addrs: a, Via: discovery.ViaStatic})
	d.PeerSeen(context.Background(), discovery.Sighting{ID: newID(t), Via: discovery.ViaStatic}) // no address
	if len(d.known)+len(d.hints) != 0 {
		t.Fatalf("queued %d dials, want none", len(d.known)+len(d.hints))
	}
}

// A peer heard of by mDNS, refused (the workspace did not admit it yet),
// is dialled again at once on Retry, back-off or not, though it is no
// colleague we know.
func TestDialerRetriesASightingAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		net := newFakeNet(t)
		eve := newID(t)
		var mu sync.Mutex // guards refuse and attempts
		refuse, attempts := true, 0
		net.connect = func(context.Context, peer.ID, []ma.Multiaddr) error {
			mu.Lock()
			defer mu.Unlock()
			attempts++
			if refuse {
				return errors.New("refused")
			}
			return nil
		}
		d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore()})
		done := make(chan struct{})
		go func() { defer close(done); d.Run(ctx) }()
		d.PeerSeen(ctx, discovery.Sighting{ID: eve, Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.5/tcp/4001")}, Via: discovery.ViaMDNS})
		synctest.Wait()
		mu.Lock()
		if attempts != 1 {
			t.Fatalf("%d attempts after the sighting, want 1", attempts)
		}
		refuse = false
		mu.Unlock()
		d.Retry(eve)
		synctest.Wait()
		if !net.IsConnected(eve) {
			t.Fatal("Retry did not dial the sighting again")
		}
		d.Retry(newID(t)) // never seen: nothing to dial, nothing happens
		cancel()
		<-done
	})
}

// A colleague whose address answers on another key is reported (a member
// away during a rotation of the network key may be handed the new one);
// one that is merely unreachable is not.
func TestDialerReportsAnotherKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := newFakeNet(t)
		away, gone := newID(t), newID(t)
		net.connect = func(_ context.Context, id peer.ID, _ []ma.Multiaddr) error {
			if id == away {
				return fmt.Errorf("%w (10.0.0.7): failed to negotiate", p2p.ErrDifferentWorkspace)
			}
			return fmt.Errorf("%w: no route", p2p.ErrUnreachable)
		}
		var mu sync.Mutex
		var reported []peer.ID
		d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore(),
			OtherKey: func(id peer.ID, addrs []ma.Multiaddr) {
				mu.Lock()
				defer mu.Unlock()
				if len(addrs) != 1 {
					t.Errorf("reported with addresses %v", addrs)
				}
				reported = append(reported, id)
			}})
		runDialer(t, d)
		for _, id := range []peer.ID{gone, away} {
			d.PeerSeen(context.Background(), discovery.Sighting{ID: id, Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.7/tcp/4001")}, Via: discovery.ViaStatic})
		}
		synctest.Wait() // both dials failed and were told of
		mu.Lock()
		defer mu.Unlock()
		if len(reported) != 1 || reported[0] != away {
			t.Fatalf("reported %v; want the peer on another key alone", reported)
		}
	})
}

// Colleagues introduce a newcomer one after the other; the hint guard
// lets the newcomer's own address through for the first introduction
// only, so the later ones bring just their relays. The dial still queued
// must keep the direct address, or it goes through a relay that holds no
// reservation for the newcomer and fails, and nobody introduces it again.
func TestDialerKeepsTheDirectAddressOfAQueuedHint(t *testing.T) {
	net := newFakeNet(t)
	d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore()}) // not run: dials stay queued
	newcomer := newID(t)
	direct := addr(t, "/ip4/10.0.0.9/tcp/4001")
	for i, relay := range []string{"10.0.0.2", "10.0.0.3", "10.0.0.4"} {
		via := addr(t, fmt.Sprintf("/ip4/%s/tcp/4001/p2p/%s/p2p-circuit", relay, newID(t)))
		d.PeerSeen(context.Background(), discovery.Sighting{ID: newcomer, Addrs: []ma.Multiaddr{direct, via}, Via: "peer"})
		d.mu.Lock()
		queued := d.st[newcomer].addrs
		d.mu.Unlock()
		if len(queued) != i+2 || !slices.ContainsFunc(queued, direct.Equal) {
			t.Fatalf("after %d introductions the queued dial has %v: want the direct address and each relay", i+1, queued)
		}
	}
}

// A colleague introduced once, whose dial failed (an overloaded machine
// timed it out), is dialled again on the back-off a few times: without
// mDNS nobody may introduce them again for hours.
func TestDialerTriesAFailedHintAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		net := newFakeNet(t)
		newcomer, tarpit := newID(t), newID(t)
		var mu sync.Mutex // guards attempts
		attempts := map[peer.ID]int{}
		net.connect = func(_ context.Context, id peer.ID, _ []ma.Multiaddr) error {
			mu.Lock()
			defer mu.Unlock()
			attempts[id]++
			if id == tarpit || attempts[id] < 3 {
				return context.DeadlineExceeded
			}
			return nil
		}
		d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore()})
		done := make(chan struct{})
		go func() { defer close(done); d.Run(ctx) }()
		defer func() { cancel(); <-done }()
		d.PeerSeen(ctx, discovery.Sighting{ID: newcomer, Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.9/tcp/4001")}, Via: "peer"})
		d.PeerSeen(ctx, discovery.Sighting{ID: tarpit, Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.8/tcp/4001")}, Via: "peer"})
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		if !net.IsConnected(newcomer) || attempts[newcomer] != 3 {
			t.Fatalf("the newcomer: connected %v after %d attempts, want connected on the third", net.IsConnected(newcomer), attempts[newcomer])
		}
		if attempts[tarpit] != 1+hintRetries {
			t.Fatalf("a hint that never answers was dialled %d times, want %d", attempts[tarpit], 1+hintRetries)
		}
	})
}

// A newcomer introduced by more colleagues than a dial keeps addresses,
// each adding the circuit through itself: the dial, and the hint tried
// again after it failed, keep the newcomer's own address, or they go
// through relays that hold no reservation for it and fail for good.
func TestDialerKeepsTheDirectAddressAmongManyRelays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		net := newFakeNet(t)
		d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore()})
		newcomer := newID(t)
		direct := addr(t, "/ip4/10.0.0.9/tcp/4001")
		for i := range 2 * maxQueuedAddrs {
			via := addr(t, fmt.Sprintf("/ip4/10.0.1.%d/tcp/4001/p2p/%s/p2p-circuit", i+1, newID(t)))
			d.PeerSeen(ctx, discovery.Sighting{ID: newcomer, Addrs: []ma.Multiaddr{direct, via}, Via: "peer"})
		}
		d.mu.Lock()
		queued := d.st[newcomer].addrs
		d.mu.Unlock()
		if len(queued) > maxQueuedAddrs || !slices.ContainsFunc(queued, direct.Equal) {
			t.Fatalf("after %d introductions the queued dial has %d addresses, the direct one %v", 2*maxQueuedAddrs, len(queued), slices.ContainsFunc(queued, direct.Equal))
		}

		var mu sync.Mutex // guards tried
		var tried [][]ma.Multiaddr
		net.connect = func(_ context.Context, _ peer.ID, addrs []ma.Multiaddr) error {
			mu.Lock()
			defer mu.Unlock()
			tried = append(tried, addrs)
			if len(tried) == 1 {
				return context.DeadlineExceeded // the newcomer was busy
			}
			if !slices.ContainsFunc(addrs, direct.Equal) {
				return errors.New("NO_RESERVATION")
			}
			return nil
		}
		done := make(chan struct{})
		go func() { defer close(done); d.Run(ctx) }()
		defer func() { cancel(); <-done }()
		time.Sleep(time.Minute)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		if !net.IsConnected(newcomer) {
			t.Fatalf("the newcomer is not connected after %d dials, the last with the direct address %v", len(tried), slices.ContainsFunc(tried[len(tried)-1], direct.Equal))
		}
	})
}

// A colleague introduced while the hint queue is full (an office
// introduces everyone to a newcomer at once) is dialled once there is
// room, though nobody introduces it again.
func TestDialerDialsAHintThatFoundTheQueueFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		net := newFakeNet(t)
		newcomer := newID(t)
		net.connect = func(ctx context.Context, id peer.ID, _ []ma.Multiaddr) error {
			if id == newcomer {
				return nil
			}
			<-ctx.Done() // busy colleagues: the dial times out
			return ctx.Err()
		}
		d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: newFakeStore()})
		for i := range maxQueuedHints {
			busy := addr(t, fmt.Sprintf("/ip4/10.0.2.%d/tcp/4001", i+1))
			d.PeerSeen(ctx, discovery.Sighting{ID: newID(t), Addrs: []ma.Multiaddr{busy}, Via: "peer"})
		}
		d.PeerSeen(ctx, discovery.Sighting{ID: newcomer, Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.9/tcp/4001")}, Via: "peer"})
		done := make(chan struct{})
		go func() { defer close(done); d.Run(ctx) }()
		defer func() { cancel(); <-done }()
		// Every queued dial hangs for its whole budget (connected to
		// nobody, the long one); the workers that take hints drain the
		// queue in rounds of that long.
		rounds := maxQueuedHints/(maxConcurrentDials-1) + 2
		time.Sleep(time.Duration(rounds) * aloneDialTimeout)
		synctest.Wait()
		if !net.IsConnected(newcomer) {
			t.Fatal("a colleague introduced while the queue was full was never dialled")
		}
	})
}

// A dial of a colleague met before, or of one a colleague introduced, is
// marked as a dial of a peer known to share our workspace key (a
// handshake out of time is then a busy machine's); a dial of an address
// the user typed or mDNS announced is not: that may be another workspace.
// A colleague on a key rotated since may time out as a busy one does, so
// a busy one is reported like another key.
func TestDialerMarksTheColleaguesKnownToShareOurKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := newFakeNet(t)
		store := newFakeStore()
		met, introduced, typed, announced, introducer := newID(t), newID(t), newID(t), newID(t), newID(t)
		var mu sync.Mutex
		marked := map[peer.ID]bool{}
		net.connect = func(ctx context.Context, id peer.ID, _ []ma.Multiaddr) error {
			mu.Lock()
			defer mu.Unlock()
			marked[id] = p2p.IsSameKey(ctx)
			return fmt.Errorf("%w: identify failed to complete: context deadline exceeded", p2p.ErrSlowHandshake)
		}
		var reported []peer.ID
		d := NewDialer(DialerConfig{}, DialerDeps{Net: net, Store: store,
			OtherKey: func(id peer.ID, _ []ma.Multiaddr) {
				mu.Lock()
				defer mu.Unlock()
				reported = append(reported, id)
			}})
		store.mu.Lock()
		store.peers[met.String()] = storage.Peer{ID: met.String(), Addrs: []string{"/ip4/10.0.0.5/tcp/4001"}}
		store.mu.Unlock()
		runDialer(t, d)
		d.PeerSeen(context.Background(), discovery.Sighting{ID: introduced, Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.6/tcp/4001")}, Via: discovery.ViaPeer, From: introducer})
		d.PeerSeen(context.Background(), discovery.Sighting{ID: typed, Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.7/tcp/4001")}, Via: discovery.ViaStatic})
		d.PeerSeen(context.Background(), discovery.Sighting{ID: announced, Addrs: []ma.Multiaddr{addr(t, "/ip4/10.0.0.8/tcp/4001")}, Via: discovery.ViaMDNS})
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		want := map[peer.ID]bool{met: true, introduced: true, typed: false, announced: false}
		if !maps.Equal(marked, want) {
			t.Fatalf("dials marked as of a colleague sharing our key: %v, want %v", marked, want)
		}
		if len(reported) != len(want) {
			t.Fatalf("%d busy colleagues reported, want all %d (a key rotated since may look busy)", len(reported), len(want))
		}
	})
}
