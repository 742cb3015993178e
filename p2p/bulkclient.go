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
	bp   *[]byte
	data []byte // aligned receive buffer: plaintext starts chunkHeader before an aligned address

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
	if err == nil && (len(offer.Key) != bulkKeySize || offer.Port <= 0 || offer.Port > 65535 || lerr != nil || rerr != nil) {
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
	bc, err := newBulkConn(c, offer.Key, false)
	if err == nil {
		err = bc.writeMessage([]byte(bulkMagic))
	}
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
	bp := bulkBufs.Get().(*[]byte)
	// The chunk data lands on an aligned address, so the receiver can write
	// it to disk directly (O_DIRECT) without another copy.
	data := alignedTail(*bp, dataAlign)[dataAlign-chunkHeader:]
	return &BulkLane{n: n, peer: from, bc: bc, bp: bp, data: data}, nil
}

// Fetch asks for chunks [from, to) and passes each to each, in order; data
// is only valid during the call. Cancelling ctx closes the lane.
func (l *BulkLane) Fetch(ctx context.Context, from, to int, each func(index int, data []byte) error) error {
	if from < 0 || to <= from || to-from > maxChunksPerReq {
		return fmt.Errorf("bulk lane: bad range [%d, %d)", from, to)
	}
	stop := context.AfterFunc(ctx, func() { l.bc.Close() })
	defer stop()
	var req [bulkRequestSize]byte
	binary.BigEndian.PutUint32(req[:], uint32(from))
	binary.BigEndian.PutUint32(req[4:], uint32(to))
	if err := l.bc.writeMessage(req[:]); err != nil {
		return cmpErr(ctx.Err(), err)
	}
	for want := from; want < to; want++ {
		p, err := l.bc.readSealed(l.data, chunkHeader+maxChunkBytes)
		if err != nil {
			return cmpErr(ctx.Err(), err)
		}
		if len(p) < chunkHeader {
			return fmt.Errorf("%w: short chunk frame", ErrBadFrame)
		}
		if i := int(binary.BigEndian.Uint32(p)); i != want {
			return fmt.Errorf("%w: chunk %d where %d was due", ErrBadFrame, i, want)
		}
		if err := each(want, p[chunkHeader:]); err != nil {
			return err
		}
	}
	return nil
}

// Close ends the lane.
func (l *BulkLane) Close() error {
	var err error
	l.closeOnce.Do(func() {
		l.n.bulk.untrack(l.peer, l.bc.c)
		err = l.bc.Close()
		bulkBufs.Put(l.bp)
	})
	return err
}
