package p2p

import (
	"net"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	yamuxt "github.com/libp2p/go-libp2p/p2p/muxer/yamux"
)

// batchingMuxer is yamux over a batchConn: yamux writes each frame of a
// connection (a stream's opening, its data, a window update, its close)
// as one write of the secure channel, each its own Noise message and
// system call. On a machine that is busy, as one whose office arrives
// together is, the frames queued while one is written go out together.
type batchingMuxer struct{ *yamuxt.Transport }

func (m batchingMuxer) NewConn(nc net.Conn, isServer bool, scope network.PeerScope) (network.MuxedConn, error) {
	return m.Transport.NewConn(newBatchConn(nc), isServer, scope)
}

// Bounds of a batchConn: what it holds unwritten before a Write waits,
// the buffer it keeps for the next batch, and how long Close waits for
// what was written before it to go out (yamux's last words: a GoAway).
const (
	maxBatchPending = 1 << 20
	maxBatchKept    = 64 << 10
	batchCloseWait  = 250 * time.Millisecond
)

// batchConn returns from Write once the bytes are queued, and writes what
// is queued from a goroutine of its own, started when there is something
// to write and gone when there is nothing: whatever is queued while it
// writes goes out in its next write, as one. Large writes are not queued
// but written in turn. Its writes keep the order of Write, and obey the
// deadline set on the connection; the first error closes the connection
// (so that yamux's reader sees it at once) and is returned by every Write
// after it.
type batchConn struct {
	net.Conn

	mu      sync.Mutex
	cond    sync.Cond // signalled when a batch was written
	pending []byte
	spare   []byte
	err     error
	idle    chan struct{} // nil while no write is under way; closed when one ends
}

func newBatchConn(c net.Conn) *batchConn {
	b := &batchConn{Conn: c}
	b.cond.L = &b.mu
	return b
}

// Write queues p (copied) and returns, waiting first while more than
// maxBatchPending is queued. A large p (a stream's data) is no frame to
// batch: it is written at once, once what was queued before it is.
func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(p) > maxBatchKept {
		return b.writeNow(p)
	}
	for b.err == nil && len(b.pending) > 0 && len(b.pending)+len(p) > maxBatchPending {
		b.cond.Wait()
	}
	if b.err != nil {
		return 0, b.err
	}
	if b.pending == nil {
		b.pending, b.spare = b.spare[:0], nil
	}
	b.pending = append(b.pending, p...)
	if b.idle == nil {
		b.idle = make(chan struct{})
		go b.flush()
	}
	return len(p), nil
}

// writeNow writes p once no write is under way; b.mu is held.
func (b *batchConn) writeNow(p []byte) (int, error) {
	for b.err == nil && b.idle != nil {
		b.cond.Wait()
	}
	if b.err != nil {
		return 0, b.err
	}
	b.idle = make(chan struct{})
	b.mu.Unlock()
	n, err := b.Conn.Write(p)
	b.mu.Lock()
	b.wrote(err)
	b.done()
	return n, err
}

// flush writes what is queued until nothing is.
func (b *batchConn) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.pending) > 0 && b.err == nil {
		batch := b.pending
		b.pending = nil
		b.mu.Unlock()
		_, err := b.Conn.Write(batch)
		b.mu.Lock()
		b.wrote(err)
		if cap(batch) <= maxBatchKept {
			b.spare = batch[:0]
		}
		b.cond.Broadcast()
	}
	b.pending = nil // what the error left unwritten
	b.done()
}

// wrote notes the outcome of a write; b.mu is held.
func (b *batchConn) wrote(err error) {
	if err != nil && b.err == nil {
		b.err = err
		b.Conn.Close()
	}
}

// done ends the write under way; b.mu is held.
func (b *batchConn) done() {
	close(b.idle)
	b.idle = nil
	b.cond.Broadcast()
}

// Close lets what was queued go out, for up to batchCloseWait, then closes
// the connection; a write still blocked then fails with it.
func (b *batchConn) Close() error {
	b.mu.Lock()
	idle := b.idle
	b.mu.Unlock()
	if idle != nil {
		t := time.NewTimer(batchCloseWait)
		select {
		case <-idle:
		case <-t.C:
		}
		t.Stop()
	}
	err := b.Conn.Close()
	b.mu.Lock()
	if b.err == nil {
		b.err = net.ErrClosed
	}
	b.cond.Broadcast()
	b.mu.Unlock()
	return err
}
