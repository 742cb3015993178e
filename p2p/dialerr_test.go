package p2p

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/protocol/identify"
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
