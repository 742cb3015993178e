package p2p

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	libp2ptls "github.com/libp2p/go-libp2p/p2p/security/tls"
)

// The bulk lane carries file chunks over a TCP connection of its own,
// secured with TLS 1.3 from crypto/tls and authenticated both ways by the
// peers' libp2p identities, as libp2p's TLS security transport is: each
// side presents a certificate that carries its identity key, and the lane
// is refused unless the other side is the colleague of the libp2p
// connection the lane was agreed on. It exists for speed: AES-GCM with
// AES instructions, and no stream multiplexer in between.
//
// Inside TLS a frame is a 4-byte big-endian length and that many bytes:
// the requester's chunk requests, the source's chunks (index and data).

const (
	bulkLenSize  = 4
	bulkMaxFrame = chunkHeader + maxChunkBytes
	// bulkALPN names the lane's protocol in the TLS handshake.
	bulkALPN = "/hallway/bulk/2"
)

// bulkConn frames messages on one TLS connection.
type bulkConn struct {
	c        net.Conn
	buf      *batchedConn // under c; nil in tests of the framing alone
	lenBuf   [bulkLenSize]byte
	deadline time.Duration
}

// batchedConn sits between TLS and TCP. TLS reads and writes one record
// (16 KiB at most) at a time; each would be a system call of its own, a
// third of the receiver's time on a fast link. Reads fill a buffer of
// laneIOBuffer bytes at once, and once the handshake is over writes
// gather until the frame they belong to is complete (flush).
type batchedConn struct {
	net.Conn
	r        *bufio.Reader
	w        *bufio.Writer
	batching bool
}

const laneIOBuffer = 256 << 10

func newBatchedConn(c net.Conn) *batchedConn {
	return &batchedConn{Conn: c, r: bufio.NewReaderSize(c, laneIOBuffer), w: bufio.NewWriterSize(c, laneIOBuffer)}
}

func (b *batchedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *batchedConn) Write(p []byte) (int, error) {
	if !b.batching {
		return b.Conn.Write(p) // handshake flights go out as they are written
	}
	return b.w.Write(p)
}

// Close sends what is gathered (TLS's close_notify) first.
func (b *batchedConn) Close() error {
	b.w.Flush()
	return b.Conn.Close()
}

// tlsIdentity is our certificate for bulk lanes, made once: it signs a
// fresh TLS key with the identity key.
func (n *Node) tlsIdentity() (*libp2ptls.Identity, error) {
	n.tlsOnce.Do(func() {
		n.tlsID, n.tlsErr = libp2ptls.NewIdentity(n.host.Peerstore().PrivKey(n.host.ID()))
	})
	return n.tlsID, n.tlsErr
}

// secureBulk runs the TLS handshake on c, as its server or client, and
// checks that the other side is remote. Nothing is read or written on a
// lane before that.
func (n *Node) secureBulk(ctx context.Context, c net.Conn, remote peer.ID, server bool) (*bulkConn, error) {
	if remote == "" {
		return nil, errors.New("bulk lane: no colleague to authenticate")
	}
	id, err := n.tlsIdentity()
	if err != nil {
		return nil, fmt.Errorf("bulk lane: certificate: %w", err)
	}
	cfg, _ := id.ConfigForPeer(remote)
	cfg.NextProtos = []string{bulkALPN}
	// Full-size records from the first byte: a lane carries bulk data,
	// never a web page whose first bytes should render early.
	cfg.DynamicRecordSizingDisabled = true
	bc := newBatchedConn(c)
	var tc *tls.Conn
	if server {
		tc = tls.Server(bc, cfg)
	} else {
		tc = tls.Client(bc, cfg)
	}
	hctx, cancel := context.WithTimeout(ctx, bulkAcceptWait)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		return nil, fmt.Errorf("bulk lane handshake: %w", err)
	}
	if p := tc.ConnectionState().NegotiatedProtocol; p != bulkALPN {
		return nil, fmt.Errorf("bulk lane: protocol %q", p)
	}
	bc.batching = true
	return &bulkConn{c: tc, buf: bc, deadline: streamIdle}, nil
}

// writeBulk sends buf[bulkLenSize:bulkLenSize+n] as one frame, its length
// put in front in buf's first bytes: one write.
func (b *bulkConn) writeBulk(buf []byte, n int) error {
	if n > bulkMaxFrame || len(buf) < bulkLenSize+n {
		return fmt.Errorf("bulk lane: frame of %d bytes", n)
	}
	binary.BigEndian.PutUint32(buf, uint32(n))
	b.c.SetWriteDeadline(time.Now().Add(b.deadline))
	if _, err := b.c.Write(buf[:bulkLenSize+n]); err != nil {
		return err
	}
	if b.buf != nil {
		return b.buf.w.Flush()
	}
	return nil
}

// writeMessage sends a small message.
func (b *bulkConn) writeMessage(msg []byte) error {
	buf := make([]byte, bulkLenSize+len(msg))
	copy(buf[bulkLenSize:], msg)
	return b.writeBulk(buf, len(msg))
}

// readBulk reads one frame into buf and returns it. A frame over max
// bytes is refused before it is read.
func (b *bulkConn) readBulk(buf []byte, max int) ([]byte, error) {
	b.c.SetReadDeadline(time.Now().Add(b.deadline))
	if _, err := io.ReadFull(b.c, b.lenBuf[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(b.lenBuf[:]))
	if n > max || n > len(buf) {
		return nil, fmt.Errorf("%w: bulk frame of %d bytes", ErrFrameTooLarge, n)
	}
	if _, err := io.ReadFull(b.c, buf[:n]); err != nil {
		return nil, fmt.Errorf("%w: truncated bulk frame: %v", ErrBadFrame, err)
	}
	return buf[:n], nil
}

func (b *bulkConn) Close() error { return b.c.Close() }
