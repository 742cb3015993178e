package transfer

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

// A file of directFirst bytes or more from a colleague connected through
// a relay first tries a direct connection, for at most directTimeout.
const (
	directFirst   = 8 << 20
	directTimeout = 3 * time.Second
)

// laneRetry is how long a source whose lane port could not be reached is
// fetched from over streams only.
const laneRetry = 10 * time.Minute

func (j *job) lane(ctx context.Context, src peer.ID) *fetchLane {
	l := &fetchLane{j: j, src: src}
	defer func() {
		if l.bulk == nil && j.s.net.Via(src) == p2p.ViaRelay {
			j.s.relayed.Store(j.t.ID, true) // chunks go through a colleague's relay
		}
	}()
	if j.t.Size >= directFirst && j.s.net.Via(src) == p2p.ViaRelay && !j.s.recently(&j.s.noDirect, src) {
		// A relay carries small files; a large one tries a direct path
		// first, and goes relayed (marked so) only without one.
		dctx, cancel := context.WithTimeout(ctx, directTimeout)
		err := j.s.net.DialDirect(dctx, src)
		cancel()
		j.s.log.Debug("file: relayed source, direct dial", "transfer", j.t.ID, "peer", src, "err", err)
		if err != nil {
			j.s.noDirect.Store(src, time.Now().Add(laneRetry))
		}
	}
	if j.s.recently(&j.s.noLane, src) {
		return l
	}
	b, err := j.s.net.OpenBulk(ctx, src, j.s.request(j.t, src))
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

// recently reports whether m holds a time for src that is still ahead.
func (s *Service) recently(m *sync.Map, src peer.ID) bool {
	until, ok := m.Load(src)
	return ok && time.Now().Before(until.(time.Time))
}

func (l *fetchLane) close() {
	if l.bulk != nil {
		l.bulk.Close()
	}
}

// run fetches windows from work until it is empty.
func (l *fetchLane) run(ctx context.Context, work <-chan [2]int) error {
	if l.bulk != nil {
		next := func() (int, int, bool) {
			w, ok := <-work
			return w[0], w[1], ok
		}
		return l.bulk.Stream(ctx, next, l.chunk(ctx))
	}
	for w := range work {
		req := l.j.s.request(l.j.t, l.src)
		req.Chunks = []p2p.ChunkRange{{From: w[0], To: w[1]}}
		each := l.chunk(ctx)
		err := l.j.s.net.FetchChunks(ctx, l.src, req, func(i int, data []byte) error {
			if i < w[0] || i >= w[1] {
				return fmt.Errorf("chunk %d outside the window asked for", i)
			}
			return each(i, data)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// chunk verifies a received chunk against the manifest, then writes it.
func (l *fetchLane) chunk(ctx context.Context) func(int, []byte) error {
	return func(i int, data []byte) error {
		if err := files.VerifyChunk(l.j.m, i, data); err != nil {
			return err
		}
		return l.j.write(ctx, i, data)
	}
}
