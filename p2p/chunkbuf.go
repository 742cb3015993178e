package p2p

import (
	"fmt"
	"sync"

	"github.com/libp2p/go-libp2p/core/network"
)

// Buffers that serve file chunks. Each is as long as the content's chunks
// need (1 MiB for anything up to 64 GiB, at most 16 MiB), and the memory
// it takes is reserved in the resource manager's scope of the stream or
// connection it serves: a peer asking for many chunk runs at once meets
// the per-peer and per-protocol memory limits (limits.go) and is told to
// wait, instead of making the node allocate without bound.

// bufPools recycles buffers by length: chunk sizes are few (powers of
// two), so few pools exist.
var bufPools struct {
	mu    sync.Mutex // guards pools
	pools map[int]*sync.Pool
}

func bufPool(size int) *sync.Pool {
	bufPools.mu.Lock()
	defer bufPools.mu.Unlock()
	if bufPools.pools == nil {
		bufPools.pools = map[int]*sync.Pool{}
	}
	p := bufPools.pools[size]
	if p == nil {
		p = &sync.Pool{New: func() any { b := make([]byte, size); return &b }}
		bufPools.pools[size] = p
	}
	return p
}

// reserveBuffer reserves size bytes in scope and returns a buffer of that
// length for content of chunk-byte chunks, with the function that gives
// both back.
func reserveBuffer(scope network.ResourceScope, size, chunk int) ([]byte, func(), error) {
	if chunk <= 0 || chunk > maxChunkBytes {
		return nil, nil, fmt.Errorf("p2p: chunks of %d bytes cannot be served", chunk)
	}
	if err := scope.ReserveMemory(size, network.ReservationPriorityAlways); err != nil {
		return nil, nil, fmt.Errorf("p2p: chunk buffer of %d bytes: %w", size, err)
	}
	pool := bufPool(size)
	bp := pool.Get().(*[]byte)
	var once sync.Once
	return *bp, func() {
		once.Do(func() {
			pool.Put(bp)
			scope.ReleaseMemory(size)
		})
	}, nil
}
