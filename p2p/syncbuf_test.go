package p2p

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

// countingServer answers the n-th sync with frames naming n.
type countingServer struct{ n atomic.Int64 }

func (c *countingServer) ServeSync(_ context.Context, _ peer.ID, _ []byte, _ SyncRequest, send func([]byte) error) error {
	n := c.n.Add(1)
	for j := range 20 {
		if err := send(fmt.Appendf(nil, "sync %d frame %d", n, j)); err != nil {
			return err
		}
	}
	return nil
}

// Syncs one after another reuse their stream buffers, and none hands the
// next what it read or wrote: each gets its own frames, in order, and the
// two sides together allocate less per sync than the reader and the writer
// of 64 KiB that were made for each before.
func TestSyncsReuseTheirBuffersCleanly(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	b.SetSyncServer(&countingServer{})
	connect(t, a, b)
	sync := func(i int) {
		t.Helper()
		var got []string
		err := a.Sync(t.Context(), b.ID(), func([]byte) SyncRequest { return SyncRequest{} }, func(raw []byte) error {
			got = append(got, string(raw))
			return nil
		})
		if err != nil {
			t.Fatalf("sync %d: %v", i, err)
		}
		if len(got) != 20 {
			t.Fatalf("sync %d got %d frames, want 20: %q", i, len(got), got)
		}
		for j, f := range got {
			if want := fmt.Sprintf("sync %d frame %d", i, j); f != want {
				t.Fatalf("sync %d frame %d is %q, want %q", i, j, f, want)
			}
		}
	}
	sync(1) // the first makes the buffers
	const syncs = 40
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 2; i < 2+syncs; i++ {
		sync(i)
	}
	runtime.ReadMemStats(&after)
	// 20 KiB here, about 60 KiB under the race detector, which drops
	// a quarter of what pools are given; 145 KiB with a buffer made for
	// each side of each sync.
	if per, most := (after.TotalAlloc-before.TotalAlloc)/syncs, uint64(syncBufferBytes*3/2); per >= most {
		t.Errorf("%d bytes allocated per sync, want fewer than %d", per, most)
	}
}
