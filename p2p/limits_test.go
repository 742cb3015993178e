package p2p

import (
	"context"
	"testing"
	"time"
)

// A peer holding streams open without sending a frame gets no more than
// the protocol's cap at once; the rest are reset at the start.
func TestStreamsPerPeerAndProtocolAreCapped(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	connect(t, a, b)
	const opened = 10
	limit := protocolStreamCaps[ProtoProfile]
	ended := make(chan struct{}, opened)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range opened {
		s, err := a.host.NewStream(ctx, b.ID(), ProtoProfile)
		if err != nil {
			ended <- struct{}{}
			continue
		}
		t.Cleanup(func() { s.Reset() })
		s.Write([]byte{0x80}) // the start of a length that never ends
		go func() {
			buf := make([]byte, 1)
			s.Read(buf)
			ended <- struct{}{}
		}()
	}
	for range opened - limit {
		select {
		case <-ended:
		case <-ctx.Done():
			t.Fatalf("fewer than %d of %d held streams were refused", opened-limit, opened)
		}
	}
	select {
	case <-ended:
		t.Fatalf("more than %d streams refused: the cap is %d", opened-limit, limit)
	default:
	}
}
