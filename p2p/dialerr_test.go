package p2p

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/protocol/identify"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// A colleague in our workspace whose machine makes the connection but
// does not finish identifying itself in time (busy) is reported as slow,
// not as another workspace: the connection proved the key.
func TestASlowIdentifyIsNotAnotherWorkspace(t *testing.T) {
	k := make([]byte, 32)
	k[0] = 7
	a, _ := newTestNode(t, k)
	b, _ := newTestNode(t, k)
	release := make(chan struct{})
	defer close(release)
	b.host.SetStreamHandler(identify.ID, func(s network.Stream) { // never answers
		<-release
		s.Reset()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := a.Connect(ctx, b.ID(), b.host.Addrs())
	if !errors.Is(err, ErrSlowHandshake) || errors.Is(err, ErrDifferentWorkspace) {
		t.Fatalf("a colleague that does not identify in time: %v, want ErrSlowHandshake", err)
	}
	var f *DialFailure
	if !errors.As(err, &f) || len(f.Attempts) == 0 || f.Attempts[0].Outcome != OutcomeBusy {
		t.Fatalf("attempts %+v: want the address named busy", f)
	}
}

// A colleague known to share our key whose machine takes the connection
// but does not answer the handshake in time is busy; a stranger at such an
// address is still named another workspace (or not Hallway).
func TestAHandshakeOutOfTimeIsBusyForAColleagueKnownToShareOurKey(t *testing.T) {
	k := make([]byte, 32)
	k[0] = 9
	a, _ := newTestNode(t, k)
	b, _ := newTestNode(t, k)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // takes connections and never answers, as a machine too busy to
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	addr, err := manet.FromNetAddr(ln.Addr())
	if err != nil {
		t.Fatal(err)
	}
	dial := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		return a.Connect(ctx, b.ID(), []ma.Multiaddr{addr})
	}
	err = dial(WithSameKey(context.Background()))
	if !errors.Is(err, ErrSlowHandshake) || errors.Is(err, ErrDifferentWorkspace) {
		t.Fatalf("a colleague known to share our key, out of time: %v, want ErrSlowHandshake", err)
	}
	var f *DialFailure
	if !errors.As(err, &f) || len(f.Attempts) != 1 || f.Attempts[0].Outcome != OutcomeBusy {
		t.Fatalf("attempts %+v: want the address named busy", f)
	}
	if err := dial(context.Background()); !errors.Is(err, ErrDifferentWorkspace) {
		t.Fatalf("a peer not known to share our key, out of time: %v, want ErrDifferentWorkspace", err)
	}
}
