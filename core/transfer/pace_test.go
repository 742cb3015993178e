package transfer

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

type countingFiles struct{ opened atomic.Int64 }

func (c *countingFiles) OpenFile(context.Context, peer.ID, p2p.FileRequest) (p2p.FileSource, error) {
	c.opened.Add(1)
	return nil, errors.New("no content")
}

func TestFileRequestsArePacedPerPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &countingFiles{}
		f := newPacedFiles(inner)
		flooder, colleague := peer.ID("flooder"), peer.ID("colleague")
		refused := 0
		// A flood far beyond the pace: the burst passes, then each request
		// waits its turn, and those that would wait too long are refused.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		results := make(chan error, 8*filePace.Burst)
		for range 8 * filePace.Burst {
			go func() {
				_, err := f.OpenFile(ctx, flooder, p2p.FileRequest{})
				results <- err
			}()
		}
		for range 8 * filePace.Burst {
			if errors.Is(<-results, errBusy) {
				refused++
			}
		}
		if refused == 0 || int(inner.opened.Load())+refused != 8*filePace.Burst {
			t.Fatalf("%d opened, %d refused of %d requests", inner.opened.Load(), refused, 8*filePace.Burst)
		}
		// The flood costs another peer nothing.
		if _, err := f.OpenFile(ctx, colleague, p2p.FileRequest{}); errors.Is(err, errBusy) {
			t.Fatal("a colleague was refused because another peer flooded")
		}
	})
}
