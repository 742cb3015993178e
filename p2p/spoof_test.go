package p2p

import (
	"context"
	"testing"
	"time"
)

// An address announced for a colleague that turns out to be someone else
// (a spoofed announcement) fails to authenticate and never becomes the
// colleague's address, even once the colleague connects for real.
func TestSpoofedAddressNeverSticks(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	mallory, _ := newTestNode(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	spoofed := mallory.host.Addrs()
	if err := a.Connect(ctx, b.ID(), spoofed); err == nil {
		t.Fatal("a dial to Mallory's address passed as Bob")
	}
	before := len(a.host.Peerstore().Peers())
	connect(t, a, b)
	for _, addr := range a.PeerAddrs(b.ID()) {
		for _, s := range spoofed {
			if addr.Equal(s) {
				t.Fatalf("Bob's addresses include the spoofed %s", s)
			}
		}
	}
	// Failed dials of made-up peers leave nothing in the address book.
	for range 20 {
		other, _ := newTestNode(t, nil)
		other.Close()
		a.Connect(ctx, other.ID(), spoofed)
	}
	if after := len(a.host.Peerstore().Peers()); after > before+1 {
		t.Fatalf("the address book grew from %d to %d peers after failed dials", before, after)
	}
}
