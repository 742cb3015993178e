package p2p

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
)

func TestTypingSignal(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, rb := newTestNode(t, nil)
	ctx := context.Background()
	if err := a.SendTyping(ctx, b.ID(), true); err == nil {
		t.Fatal("a typing signal dialled")
	}
	connect(t, a, b)
	for _, on := range []bool{true, false} {
		if err := a.SendTyping(ctx, b.ID(), on); err != nil {
			t.Fatal(err)
		}
	}
	rb.waitFor(t, "two signals", func() bool { return slices.Equal(rb.typing, []bool{true, false}) })
}

// A peer that signals too fast, or sends a frame that is not one byte,
// is not heard.
func TestTypingSignalIsPacedAndChecked(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, rb := newTestNode(t, nil)
	ctx := context.Background()
	connect(t, a, b)
	for _, frame := range [][]byte{{1, 1}, {7}, {}} {
		s, err := a.host.NewStream(network.WithNoDial(ctx, "test"), b.ID(), ProtoTyping)
		if err != nil {
			t.Fatal(err)
		}
		s.Write(frame)
		s.CloseWrite()
		s.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := s.Read(make([]byte, 1)); err == nil || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("frame %v: %v", frame, err)
		}
		s.Close()
	}
	// A fresh colleague floods: the burst is heard, then one a second.
	c, _ := newTestNode(t, nil)
	connect(t, c, b)
	rb.mu.Lock()
	before := len(rb.typing)
	rb.mu.Unlock()
	start := time.Now()
	for range 20 {
		c.SendTyping(ctx, b.ID(), true)
	}
	elapsed := time.Since(start)
	rb.mu.Lock()
	heard := len(rb.typing) - before
	rb.mu.Unlock()
	if most := typingPace.Burst + int(elapsed/time.Second) + 1; heard < typingPace.Burst || heard > most {
		t.Fatalf("%d of 20 signals heard in %s; the pace allows %d to %d", heard, elapsed, typingPace.Burst, most)
	}
}

func FuzzDecodeTyping(f *testing.F) {
	f.Add([]byte{1})
	f.Add([]byte{0})
	f.Add([]byte{1, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		typing, err := decodeTyping(b)
		if err != nil {
			return
		}
		if len(b) != 1 || (b[0] == 1) != typing {
			t.Fatalf("%v decoded as %v", b, typing)
		}
	})
}
