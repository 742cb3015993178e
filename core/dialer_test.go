package core

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"runtime"
	"testing"

	"hallway/discovery"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// silentListener accepts TCP connections on loopback and never answers,
// so every libp2p dial to it hangs until its timeout.
func silentListener(t *testing.T) ma.Multiaddr {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	a, err := ma.NewMultiaddr(fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", l.Addr().(*net.TCPAddr).Port))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func randomID(t *testing.T) peer.ID {
	t.Helper()
	_, pub, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A flood of announcements of made-up peers at an address where dials
// hang must neither pile up goroutines nor keep a configured colleague
// from being dialled.
func TestDialerBoundsAFloodOfSightings(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob")
	tarpit := silentListener(t)
	before := runtime.NumGoroutine()
	for range 5000 {
		ann.dial.PeerSeen(context.Background(), discovery.Sighting{ID: randomID(t), Addrs: []ma.Multiaddr{tarpit}, Via: discovery.ViaMDNS})
	}
	if grown := runtime.NumGoroutine() - before; grown > 200 {
		t.Fatalf("5000 sightings left %d more goroutines; dials must wait in a bounded queue", grown)
	}
	// That the excess is dropped and the queue stays bounded is checked
	// against the dialer itself in core/people.
	// A configured colleague goes before the queued hints.
	addr, err := ma.NewMultiaddr(bob.addr())
	if err != nil {
		t.Fatal(err)
	}
	id, transport, err := discovery.SplitP2PAddr(addr)
	if err != nil {
		t.Fatal(err)
	}
	ann.dial.PeerSeen(context.Background(), discovery.Sighting{ID: id, Addrs: []ma.Multiaddr{transport}, Via: discovery.ViaStatic})
	ann.waitOnline(bob, "Bob")
}
