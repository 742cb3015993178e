package p2p

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

func TestPaceLetsABurstThroughThenSlowsDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPace(PaceConfig{PerSecond: 10, Burst: 5})
		id := peer.ID("colleague")
		start := time.Now()
		for range 5 {
			if err := p.Wait(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
		if waited := time.Since(start); waited != 0 {
			t.Fatalf("a burst within the burst size waited %v", waited)
		}
		for range 10 {
			if err := p.Wait(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
		if waited := time.Since(start); waited < 900*time.Millisecond {
			t.Fatalf("10 requests beyond the burst at 10/s took %v, want about a second", waited)
		}
		// Another peer has its own bucket.
		start = time.Now()
		if err := p.Wait(context.Background(), peer.ID("other")); err != nil || time.Since(start) != 0 {
			t.Fatalf("another peer waited %v: %v", time.Since(start), err)
		}
	})
}

func TestPaceRefusesWhatWouldOutlastTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPace(PaceConfig{PerSecond: 1, Burst: 1})
		id := peer.ID("flooder")
		if err := p.Wait(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := p.Wait(ctx, id); err == nil {
			t.Fatal("a request that must wait a second passed a 100 ms deadline")
		}
	})
}

func TestPaceForgetsIdlePeers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPace(PaceConfig{PerSecond: 100, Burst: 2})
		for i := range 3 * maxPacedPeers {
			p.Wait(context.Background(), peer.ID(rune(i)))
		}
		if n := len(p.peers); n > maxPacedPeers {
			t.Fatalf("%d buckets kept, at most %d", n, maxPacedPeers)
		}
	})
}

// A colleague sending direct messages beyond the pace gets the burst
// stored and the rest refused (its outbox keeps them for later).
func TestDMsBeyondThePaceAreRefused(t *testing.T) {
	saved := dmPace
	dmPace = PaceConfig{PerSecond: 0.001, Burst: 2}
	defer func() { dmPace = saved }()
	a, _ := newTestNode(t, nil)
	b, rb := newTestNode(t, nil)
	connect(t, a, b)
	acked := 0
	err := a.SendDMs(context.Background(), b.ID(), []DM{
		{ID: "1", Text: "one", SentAt: 1}, {ID: "2", Text: "two", SentAt: 1}, {ID: "3", Text: "three", SentAt: 1},
	}, func(DM) error { acked++; return nil })
	if err == nil || acked != 2 {
		t.Fatalf("%d acknowledged, err %v: want the burst of 2 stored and the third refused", acked, err)
	}
	rb.mu.Lock()
	stored := len(rb.dms)
	rb.mu.Unlock()
	if stored != 2 {
		t.Fatalf("%d messages reached the handler, want 2", stored)
	}
}

// The pace of direct messages counts what each costs on disk: a few
// large messages use up a colleague's byte allowance, which a message
// count alone would never notice, while small ones keep flowing.
func TestDMPaceCountsBytesStored(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, rb := newTestNode(t, nil)
	b.dmBytes = NewPace(PaceConfig{PerSecond: 1, Burst: 150 << 10})
	connect(t, a, b)
	big := strings.Repeat("x", 60<<10)
	var msgs []DM
	for i := range 3 {
		msgs = append(msgs, DM{ID: fmt.Sprintf("big%d", i), Text: big, SentAt: 1})
	}
	acked := 0
	err := a.SendDMs(context.Background(), b.ID(), msgs, func(DM) error { acked++; return nil })
	if err == nil || acked != 2 {
		t.Fatalf("3 messages of 60 KiB against 150 KiB of allowance: %d acknowledged (%v), want 2 and a refusal", acked, err)
	}
	var small []DM
	for i := range 50 {
		small = append(small, DM{ID: fmt.Sprintf("small%d", i), Text: "hi", SentAt: 1})
	}
	acked = 0
	if err := a.SendDMs(context.Background(), b.ID(), small, func(DM) error { acked++; return nil }); err != nil || acked != 50 {
		t.Fatalf("small messages after the large ones: %d acknowledged: %v", acked, err)
	}
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if len(rb.dms) != 52 {
		t.Fatalf("%d stored, want 52", len(rb.dms))
	}
}
