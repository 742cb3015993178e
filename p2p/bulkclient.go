package p2p

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"
	manet "github.com/multiformats/go-multiaddr/net"
)

// BulkLane is an open bulk lane to one source for one content hash. One
// goroutine uses it at a time.
type BulkLane struct {
	n    *Node
	peer peer.ID
	bc   *bulkConn
	raw  net.Conn // the TCP connection under bc, as tracked
	bp   [2]*[]byte
	data [2][]byte // aligned receive buffers: plaintext starts chunkHeader before an aligned address

	closeOnce sync.Once
}

// OpenBulk asks from for a bulk lane for req's content. It returns an error
// wrapping ErrBulkUnavailable when the source offers none (an older
// version, its limits, or the lane disabled), and the caller falls back to
// FetchChunks.
func (n *Node) OpenBulk(ctx context.Context, from peer.ID, req FileRequest) (*BulkLane, error) {
	if n.noBulk {
		return nil, ErrBulkUnavailable
	}
	if n.Via(from) == ViaRelay {
		// The lane would go to the relay's address, not the source's.
		return nil, fmt.Errorf("%w: connected through a relay only", ErrBulkUnreachable)
	}
	req.Op = FileOpBulk
	s, r, err := n.fileStream(ctx, from, req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBulkUnavailable, err)
	}
	raw, err := readFrame(r, maxBulkOffer)
	local, lerr := manet.ToIP(s.Conn().LocalMultiaddr())
	remote, rerr := manet.ToIP(s.Conn().RemoteMultiaddr())
	s.Close()
	var offer bulkOffer
	if err == nil {
		err = json.Unmarshal(raw, &offer)
	}
	if err == nil && (offer.Port <= 0 || offer.Port > 65535 || lerr != nil || rerr != nil) {
		err = fmt.Errorf("%w: bulk offer", ErrBadFrame)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBulkUnavailable, err)
	}
	// The lane goes to the address this connection already authenticated,
	// from the address the source expects: never anywhere the offer says.
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: local}, Timeout: bulkAcceptWait}
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(remote.String(), strconv.Itoa(offer.Port)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBulkUnreachable, err)
	}
	bc, err := n.secureBulk(ctx, c, from, false)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("%w: %v", ErrBulkUnavailable, err)
	}
	n.bulk.track(from, c)
	if !n.IsConnected(from) { // the peer left while the lane was set up
		n.bulk.untrack(from, c)
		c.Close()
		return nil, fmt.Errorf("%w: colleague went offline", ErrBulkUnavailable)
	}
	l := &BulkLane{n: n, peer: from, bc: bc, raw: c}
	for k := range l.bp {
		l.bp[k] = bulkBufs.Get().(*[]byte)
		// The chunk data lands on an aligned address, so the receiver can
		// write it to disk directly (O_DIRECT) without another copy.
		l.data[k] = alignedTail(*l.bp[k], dataAlign)[dataAlign-chunkHeader:]
	}
	return l, nil
}

// Fetch asks for chunks [from, to) and passes each to each, in order; data
// is only valid during the call. Cancelling ctx closes the lane.
func (l *BulkLane) Fetch(ctx context.Context, from, to int, each func(index int, data []byte) error) error {
	done := false
	return l.Stream(ctx, func() (int, int, bool) {
		if done {
			return 0, 0, false
		}
		done = true
		return from, to, true
	}, each)
}

// Stream fetches the windows next yields, keeping two requested ahead so
// the source never waits for a request, and passes every chunk to each in
// order. The next chunk is read and opened while each works on the last
// one. Data is only valid during the call to each. An error leaves the
// lane closed; cancelling ctx closes it too.
func (l *BulkLane) Stream(ctx context.Context, next func() (from, to int, ok bool), each func(index int, data []byte) error) (err error) {
	stop := context.AfterFunc(ctx, func() { l.bc.Close() })
	defer stop()
	type frame struct {
		slot int
		p    []byte
		err  error
	}
	want := make(chan int, len(l.data))
	ready := make(chan frame, len(l.data))
	go func() {
		defer close(ready)
		for slot := range want {
			p, err := l.bc.readBulk(l.data[slot], chunkHeader+maxChunkBytes)
			ready <- frame{slot, p, err}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		if err != nil {
			l.bc.Close() // unblocks a read for a frame that will not come
			err = cmpErr(ctx.Err(), err)
		}
		close(want)
		for range ready {
		}
	}()
	var windows [][2]int // requested and not yet all received, oldest first
	requested, given := 0, 0
	exhausted := false
	free := []int{0, 1}
	for {
		for len(windows) < 2 && !exhausted {
			from, to, ok := next()
			if !ok {
				exhausted = true
				break
			}
			if from < 0 || to <= from || to-from > maxChunksPerReq {
				return fmt.Errorf("bulk lane: bad range [%d, %d)", from, to)
			}
			var req [bulkRequestSize]byte
			binary.BigEndian.PutUint32(req[:], uint32(from))
			binary.BigEndian.PutUint32(req[4:], uint32(to))
			if err := l.bc.writeMessage(req[:]); err != nil {
				return err
			}
			windows = append(windows, [2]int{from, to})
			requested += to - from
		}
		if len(windows) == 0 {
			return nil
		}
		for len(free) > 0 && given < requested {
			want <- free[0]
			free = free[1:]
			given++
		}
		f, ok := <-ready
		if !ok {
			return fmt.Errorf("bulk lane closed")
		}
		if f.err != nil {
			return f.err
		}
		if len(f.p) < chunkHeader {
			return fmt.Errorf("%w: short chunk frame", ErrBadFrame)
		}
		w := &windows[0]
		if i := int(binary.BigEndian.Uint32(f.p)); i != w[0] {
			return fmt.Errorf("%w: chunk %d where %d was due", ErrBadFrame, i, w[0])
		}
		if err := each(w[0], f.p[chunkHeader:]); err != nil {
			return err
		}
		free = append(free, f.slot)
		if w[0]++; w[0] == w[1] {
			windows = windows[1:]
		}
	}
}

// Close ends the lane.
func (l *BulkLane) Close() error {
	var err error
	l.closeOnce.Do(func() {
		l.n.bulk.untrack(l.peer, l.raw)
		err = l.bc.Close()
		for _, bp := range l.bp {
			bulkBufs.Put(bp)
		}
	})
	return err
}
