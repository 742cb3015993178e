package p2p

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	manet "github.com/multiformats/go-multiaddr/net"
)

// FileOpBulk asks the source to open a bulk lane (see bulktls.go) for
// the content: the answer carries a port on the source's address of this
// connection. Only the peer at the connection's remote address may
// connect, within bulkAcceptWait, once, and the lane is served only when
// its TLS handshake proves it is the colleague that asked. ("bulk" was
// the lane of older versions, sealed by a key in the offer.)
const FileOpBulk = "bulk-tls"

const (
	bulkAcceptWait  = 5 * time.Second
	bulkPerPeer     = 8  // open lanes one colleague may hold
	bulkTotal       = 32 // open lanes in all
	bulkRequestSize = 8  // from and to, 4 bytes each
	maxBulkOffer    = 256
)

// ErrBulkUnavailable: the lane could not be set up; use streams instead.
var ErrBulkUnavailable = errors.New("bulk lane unavailable")

// ErrBulkUnreachable: the source offered a lane but its port could not be
// reached (a host firewall); asking again soon would only cost time.
var ErrBulkUnreachable = fmt.Errorf("%w: port unreachable", ErrBulkUnavailable)

type bulkOffer struct {
	Port int `json:"port"`
}

// bulkSessions bounds the lanes a node serves.
type bulkSessions struct {
	mu     sync.Mutex // guards every field below
	total  int
	per    map[peer.ID]int
	served int64
	// open lanes by peer, both ways: a lane lives on its own TCP
	// connection, so it ends with the peer's libp2p connections, which
	// keepalives watch. A cable pulled mid-transfer pauses the download at
	// once instead of after a TCP timeout.
	conns map[peer.ID]map[net.Conn]struct{}
}

func (b *bulkSessions) track(p peer.ID, c net.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conns == nil {
		b.conns = map[peer.ID]map[net.Conn]struct{}{}
	}
	if b.conns[p] == nil {
		b.conns[p] = map[net.Conn]struct{}{}
	}
	b.conns[p][c] = struct{}{}
}

func (b *bulkSessions) untrack(p peer.ID, c net.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.conns[p], c)
	if len(b.conns[p]) == 0 {
		delete(b.conns, p)
	}
}

// drop closes every lane to p.
func (b *bulkSessions) drop(p peer.ID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.conns[p] {
		c.Close()
	}
}

// BulkLanesServed counts the bulk lanes this node has opened for others.
func (n *Node) BulkLanesServed() int64 {
	n.bulk.mu.Lock()
	defer n.bulk.mu.Unlock()
	return n.bulk.served
}

func (b *bulkSessions) acquire(p peer.ID) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.per == nil {
		b.per = map[peer.ID]int{}
	}
	if b.total >= bulkTotal || b.per[p] >= bulkPerPeer {
		return false
	}
	b.total++
	b.per[p]++
	b.served++
	return true
}

func (b *bulkSessions) release(p peer.ID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.total--
	if b.per[p]--; b.per[p] <= 0 {
		delete(b.per, p)
	}
}

var bulkBufs = sync.Pool{New: func() any { b := make([]byte, bulkLenSize+bulkMaxFrame+2*dataAlign); return &b }}

// offerBulk answers a bulk request on s and serves the lane in the
// background; it owns src from here on. An error means nothing was
// offered and src is closed.
func (n *Node) offerBulk(s network.Stream, src FileSource) error {
	from := s.Conn().RemotePeer()
	local, lerr := manet.ToIP(s.Conn().LocalMultiaddr())
	remote, rerr := manet.ToIP(s.Conn().RemoteMultiaddr())
	if n.noBulk || lerr != nil || rerr != nil || !n.bulk.acquire(from) {
		src.Close()
		st, _ := json.Marshal(fileStatus{Error: ErrBulkUnavailable.Error()})
		return writeFrame(s, st)
	}
	// The lane's buffer is counted against the connection it was asked
	// on, so lanes are bounded by memory as well as by count.
	buf, freeBuf, err := reserveBuffer(s.Conn().Scope(), bulkLenSize+chunkHeader+src.ChunkSize(), src.ChunkSize())
	if err != nil {
		src.Close()
		n.bulk.release(from)
		n.log.Debug("bulk lane refused", "peer", from, "err", err)
		st, _ := json.Marshal(fileStatus{Error: ErrBulkUnavailable.Error()})
		return writeFrame(s, st)
	}
	release := func() { src.Close(); freeBuf(); n.bulk.release(from) }
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: local})
	if err != nil {
		release()
		return err
	}
	offer, _ := json.Marshal(bulkOffer{Port: ln.Addr().(*net.TCPAddr).Port})
	st, _ := json.Marshal(fileStatus{OK: true})
	s.SetWriteDeadline(time.Now().Add(streamIdle))
	if err := writeFrame(s, st); err == nil {
		err = writeFrame(s, offer)
	}
	if err != nil {
		ln.Close()
		release()
		return err
	}
	started := n.goTracked(func() {
		defer release()
		c, err := acceptFrom(n.ctx, ln, remote)
		ln.Close()
		if err != nil {
			return
		}
		stop := context.AfterFunc(n.ctx, func() { c.Close() })
		defer stop()
		n.bulk.track(from, c)
		defer n.bulk.untrack(from, c)
		defer c.Close()
		if err := n.serveBulk(c, from, src, buf); err != nil {
			n.log.Debug("bulk lane ended", "peer", from, "err", err)
		}
	})
	if !started {
		ln.Close()
		release()
	}
	return nil
}

// acceptFrom accepts the one connection from remote, closing any other.
func acceptFrom(ctx context.Context, ln *net.TCPListener, remote net.IP) (net.Conn, error) {
	ln.SetDeadline(time.Now().Add(bulkAcceptWait))
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	for {
		c, err := ln.AcceptTCP()
		if err != nil {
			return nil, err
		}
		if addr, ok := c.RemoteAddr().(*net.TCPAddr); ok && addr.IP.Equal(remote) {
			return c, nil
		}
		c.SetLinger(0)
		c.Close()
	}
}

// serveBulk authenticates the client as from, then answers each chunk
// request with the chunks in order, read from disk straight into the frame
// buffer buf (room for the frame around one chunk).
func (n *Node) serveBulk(c net.Conn, from peer.ID, src FileSource, buf []byte) error {
	bc, err := n.secureBulk(n.ctx, c, from, true)
	if err != nil {
		return err
	}
	defer bc.Close()
	var req [bulkRequestSize]byte
	const head = bulkLenSize + chunkHeader
	for {
		r, err := bc.readBulk(req[:], bulkRequestSize)
		if err != nil {
			return err
		}
		if len(r) != bulkRequestSize {
			return fmt.Errorf("%w: bulk request of %d bytes", ErrBadFrame, len(r))
		}
		from, to := int(binary.BigEndian.Uint32(r)), int(binary.BigEndian.Uint32(r[4:]))
		if from >= to || to > src.ChunkCount() || to-from > maxChunksPerReq {
			return fmt.Errorf("%w: bulk request for chunks [%d, %d)", ErrBadFrame, from, to)
		}
		for i := from; i < to; i++ {
			n, err := src.ReadChunk(i, buf[head:])
			if err != nil {
				return err
			}
			binary.BigEndian.PutUint32(buf[bulkLenSize:], uint32(i))
			if err := bc.writeBulk(buf, chunkHeader+n); err != nil {
				return err
			}
		}
	}
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
