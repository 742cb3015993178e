package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hallway/files"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// fetchLane fetches windows of chunks from one source: over a bulk lane
// when the source offers one, over libp2p streams otherwise.
type fetchLane struct {
	j    *job
	src  peer.ID
	bulk *p2p.BulkLane
}

// laneRetry is how long a source whose lane port could not be reached is
// fetched from over streams only.
const laneRetry = 10 * time.Minute

func (j *job) lane(ctx context.Context, src peer.ID) *fetchLane {
	l := &fetchLane{j: j, src: src}
	if until, ok := j.s.noLane.Load(src); ok && time.Now().Before(until.(time.Time)) {
		return l
	}
	b, err := j.s.node.OpenBulk(ctx, src, j.s.fileRequest(j.t, src))
	if err != nil {
		j.s.log.Debug("file: no bulk lane, using streams", "transfer", j.t.ID, "peer", src, "err", err)
		if errors.Is(err, p2p.ErrBulkUnreachable) {
			j.s.noLane.Store(src, time.Now().Add(laneRetry))
		}
		return l
	}
	l.bulk = b
	return l
}

func (l *fetchLane) close() {
	if l.bulk != nil {
		l.bulk.Close()
	}
}

func (l *fetchLane) fetch(ctx context.Context, w [2]int) error {
	each := func(i int, data []byte) error {
		if i < w[0] || i >= w[1] {
			return fmt.Errorf("chunk %d outside the window asked for", i)
		}
		if err := files.VerifyChunk(l.j.m, i, data); err != nil {
			return err
		}
		return l.j.write(ctx, i, data)
	}
	if l.bulk != nil {
		return l.bulk.Fetch(ctx, w[0], w[1], each)
	}
	req := l.j.s.fileRequest(l.j.t, l.src)
	req.Chunks = []p2p.ChunkRange{{From: w[0], To: w[1]}}
	return l.j.s.node.FetchChunks(ctx, l.src, req, each)
}
