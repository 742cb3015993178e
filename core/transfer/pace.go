package transfer

import (
	"context"
	"errors"
	"time"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// filePace paces the file requests of one peer. A download keeps a few
// windows of 8 chunks in flight per source, a few hundred requests a
// second at full speed; each request opens content and reads history.
var filePace = p2p.PaceConfig{PerSecond: 500, Burst: 500}

// errBusy is what a peer asking faster than its pace is told.
var errBusy = errors.New("too many requests; try again later")

// pacedFiles serves files through next once the requesting peer's turn
// has come; a request that would wait more than a few seconds is refused
// and the downloader retries it.
type pacedFiles struct {
	next p2p.FileServer
	pace *p2p.Pace
}

func newPacedFiles(next p2p.FileServer) *pacedFiles {
	return &pacedFiles{next: next, pace: p2p.NewPace(filePace)}
}

func (f *pacedFiles) OpenFile(ctx context.Context, from peer.ID, req p2p.FileRequest) (p2p.FileSource, error) {
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := f.pace.Wait(wctx, from)
	cancel()
	if err != nil {
		return nil, errBusy
	}
	return f.next.OpenFile(ctx, from, req)
}
