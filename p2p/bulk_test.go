package p2p

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// memSource serves chunks made from their index, so a receiver can check
// each without a manifest.
type memSource struct {
	chunks, size int
	closed       chan struct{}
	once         sync.Once
}

func (m *memSource) Manifest() []byte { return []byte("manifest") }
func (m *memSource) ChunkCount() int  { return m.chunks }
func (m *memSource) ChunkSize() int   { return m.size }
func (m *memSource) ReadChunk(i int, buf []byte) (int, error) {
	fillChunk(buf[:m.size], i)
	return m.size, nil
}
func (m *memSource) Close() error {
	m.once.Do(func() { close(m.closed) })
	return nil
}

func fillChunk(b []byte, i int) {
	for k := 0; k+8 <= len(b); k += 8 {
		binary.BigEndian.PutUint64(b[k:], uint64(i)<<32|uint64(k))
	}
}

type memServer struct {
	src     func() *memSource
	mu      sync.Mutex
	sources []*memSource
}

func (s *memServer) OpenFile(_ context.Context, _ peer.ID, req FileRequest) (FileSource, error) {
	if req.Hash != testHash {
		return nil, errors.New("no such file")
	}
	src := s.src()
	s.mu.Lock()
	s.sources = append(s.sources, src)
	s.mu.Unlock()
	return src, nil
}

var testHash = string(bytes.Repeat([]byte("ab"), 32))

func bulkPair(t testing.TB, chunks, size int) (*Node, *Node, *memServer) {
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	srv := &memServer{src: func() *memSource { return &memSource{chunks: chunks, size: size, closed: make(chan struct{})} }}
	a.SetFileServer(srv)
	connect(t, b, a)
	return a, b, srv
}

func TestBulkLaneFetchesChunksInOrder(t *testing.T) {
	a, b, srv := bulkPair(t, 40, 64<<10)
	ctx := context.Background()
	lane, err := b.OpenBulk(ctx, a.ID(), FileRequest{Hash: testHash})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 64<<10)
	got := 0
	for _, w := range [][2]int{{0, 8}, {8, 40}, {3, 4}} {
		err := lane.Fetch(ctx, w[0], w[1], func(i int, data []byte) error {
			fillChunk(want, i)
			if !bytes.Equal(data, want) {
				return fmt.Errorf("chunk %d differs", i)
			}
			got++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got != 41 {
		t.Fatalf("got %d chunks, want 41", got)
	}
	lane.Close()
	// The source is released once the lane is gone.
	select {
	case <-srv.sources[0].closed:
	case <-time.After(10 * time.Second):
		t.Fatal("source not closed after the lane ended")
	}
}

func TestBulkLaneRefusesBadRequests(t *testing.T) {
	a, b, _ := bulkPair(t, 4, 4096)
	ctx := context.Background()
	if _, err := b.OpenBulk(ctx, a.ID(), FileRequest{Hash: string(bytes.Repeat([]byte("cd"), 32))}); !errors.Is(err, ErrBulkUnavailable) {
		t.Fatalf("unknown content: %v", err)
	}
	lane, err := b.OpenBulk(ctx, a.ID(), FileRequest{Hash: testHash})
	if err != nil {
		t.Fatal(err)
	}
	defer lane.Close()
	// Beyond the content: the source ends the lane instead of serving.
	if err := lane.Fetch(ctx, 2, 9, func(int, []byte) error { return nil }); err == nil {
		t.Fatal("a range past the end was served")
	}
	if err := lane.Fetch(ctx, 5, 2, func(int, []byte) error { return nil }); err == nil {
		t.Fatal("an empty range was accepted")
	}
}

func TestBulkLaneDisabledFallsBack(t *testing.T) {
	a, b, _ := bulkPair(t, 4, 4096)
	a.noBulk = true
	if _, err := b.OpenBulk(context.Background(), a.ID(), FileRequest{Hash: testHash}); !errors.Is(err, ErrBulkUnavailable) {
		t.Fatalf("lane opened from a source that has it off: %v", err)
	}
}

func TestBulkLaneLimitsPerPeer(t *testing.T) {
	a, b, _ := bulkPair(t, 4, 4096)
	ctx := context.Background()
	var lanes []*BulkLane
	defer func() {
		for _, l := range lanes {
			l.Close()
		}
	}()
	for range bulkPerPeer {
		l, err := b.OpenBulk(ctx, a.ID(), FileRequest{Hash: testHash})
		if err != nil {
			t.Fatal(err)
		}
		lanes = append(lanes, l)
	}
	if _, err := b.OpenBulk(ctx, a.ID(), FileRequest{Hash: testHash}); !errors.Is(err, ErrBulkUnavailable) {
		t.Fatalf("lane %d opened: %v", bulkPerPeer+1, err)
	}
}

// A stranger who connects to the offered port first, from the expected
// address but with another identity, fails the TLS handshake and gets
// nothing.
func TestBulkLaneRejectsStrangers(t *testing.T) {
	a, b, _ := bulkPair(t, 2, 4096)
	ctx := context.Background()
	req := FileRequest{Hash: testHash, Op: FileOpBulk}
	s, r, err := b.fileStream(ctx, a.ID(), req)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := readFrame(r, maxBulkOffer)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	var offer bulkOffer
	if err := json.Unmarshal(raw, &offer); err != nil {
		t.Fatal(err)
	}
	stranger, _ := newTestNode(t, nil)
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", offer.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	bc, err := stranger.secureBulk(ctx, c, a.ID(), false)
	if err == nil {
		// TLS 1.3 clients finish before the server has checked their
		// certificate: the refusal shows on the first read.
		bc.writeMessage([]byte{0, 0, 0, 0, 0, 0, 0, 1})
		_, err = bc.readBulk(make([]byte, 64<<10), chunkHeader+maxChunkBytes)
	}
	if err == nil {
		t.Fatal("the source served a colleague other than the one that asked")
	}
}

// The lane is TLS: a source that is not the colleague we asked fails the
// handshake, and a record changed on the wire fails authentication.
func TestBulkLaneAuthenticatesBothWays(t *testing.T) {
	ann, _ := newTestNode(t, nil)
	bob, _ := newTestNode(t, nil)
	eve, _ := newTestNode(t, nil)
	lane := func(server *Node, serverExpects peer.ID, client *Node, clientExpects peer.ID, flip bool) error {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		errc := make(chan error, 1)
		go func() {
			sc, err := ln.Accept()
			if err != nil {
				errc <- err
				return
			}
			defer sc.Close()
			bs, err := server.secureBulk(context.Background(), sc, serverExpects, true)
			if err != nil {
				errc <- err
				return
			}
			_, err = bs.readBulk(make([]byte, 64), 64)
			errc <- err
		}()
		cc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		fc := &flipConn{Conn: cc}
		bc, err := client.secureBulk(context.Background(), fc, clientExpects, false)
		fc.armed.Store(flip)
		if err == nil {
			err = bc.writeMessage([]byte("chunk request"))
		}
		return errors.Join(err, <-errc)
	}
	if err := lane(ann, bob.ID(), bob, ann.ID(), false); err != nil {
		t.Fatalf("honest lane: %v", err)
	}
	if err := lane(eve, bob.ID(), bob, ann.ID(), false); err == nil {
		t.Fatal("Bob took Eve's lane for Ann's")
	}
	if err := lane(ann, bob.ID(), eve, ann.ID(), false); err == nil {
		t.Fatal("Ann served Eve as Bob")
	}
	if err := lane(ann, bob.ID(), bob, ann.ID(), true); err == nil {
		t.Fatal("a record changed on the wire was accepted")
	}
}

// flipConn flips one bit of the next write once armed.
type flipConn struct {
	net.Conn
	armed atomic.Bool
}

func (f *flipConn) Write(b []byte) (int, error) {
	if len(b) > 0 && f.armed.CompareAndSwap(true, false) {
		b = append([]byte(nil), b...)
		b[len(b)-1] ^= 1
	}
	return f.Conn.Write(b)
}

// Frames are capped before they are read: a length beyond the cap ends
// the lane without a read of that size.
func TestBulkFrameCap(t *testing.T) {
	var wire bytes.Buffer
	binary.Write(&wire, binary.BigEndian, uint32(1<<31))
	b := &bulkConn{c: pipeConn{&wire}, deadline: time.Second}
	if _, err := b.readBulk(make([]byte, 64), bulkRequestSize); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("a frame of 2 GiB: %v", err)
	}
	wire.Reset()
	binary.Write(&wire, binary.BigEndian, uint32(8))
	wire.Write([]byte{1, 2, 3})
	if _, err := b.readBulk(make([]byte, 64), bulkRequestSize); !errors.Is(err, ErrBadFrame) {
		t.Fatalf("a truncated frame: %v", err)
	}
}

func FuzzBulkFrame(f *testing.F) {
	var wire bytes.Buffer
	c := &bulkConn{c: pipeConn{&wire}, deadline: time.Second}
	c.writeMessage([]byte{0, 0, 0, 1, 0, 0, 0, 2})
	f.Add(wire.Bytes())
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		s := &bulkConn{c: pipeConn{bytes.NewBuffer(b)}, deadline: time.Second}
		buf := make([]byte, 4096)
		for range 4 {
			if _, err := s.readBulk(buf, bulkRequestSize); err != nil {
				return
			}
		}
	})
}

// pipeConn is a net.Conn over a buffer, for frame tests.
type pipeConn struct{ b *bytes.Buffer }

func (p pipeConn) Read(b []byte) (int, error)       { return p.b.Read(b) }
func (p pipeConn) Write(b []byte) (int, error)      { return p.b.Write(b) }
func (p pipeConn) Close() error                     { return nil }
func (p pipeConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (p pipeConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (p pipeConn) SetDeadline(time.Time) error      { return nil }
func (p pipeConn) SetReadDeadline(time.Time) error  { return nil }
func (p pipeConn) SetWriteDeadline(time.Time) error { return nil }

// BenchmarkFileLanes compares fetching the same chunks over libp2p streams
// (Noise + yamux) and over the bulk lane, on loopback, data discarded.
func BenchmarkFileLanes(b *testing.B) {
	const chunks, size = 64, 1 << 20
	a, c, _ := bulkPair(b, chunks, size)
	ctx := context.Background()
	b.Run("streams", func(b *testing.B) {
		b.SetBytes(chunks * size)
		for range b.N {
			req := FileRequest{Hash: testHash, Chunks: []ChunkRange{{0, chunks}}}
			if err := c.FetchChunks(ctx, a.ID(), req, func(int, []byte) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bulk", func(b *testing.B) {
		lane, err := c.OpenBulk(ctx, a.ID(), FileRequest{Hash: testHash})
		if err != nil {
			b.Fatal(err)
		}
		defer lane.Close()
		b.SetBytes(chunks * size)
		for range b.N {
			if err := lane.Fetch(ctx, 0, chunks, func(int, []byte) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A lane ends with the colleague's last libp2p connection, so a vanished
// peer pauses a download as soon as keepalives notice, not after a TCP
// timeout.
func TestBulkLaneEndsWithTheConnection(t *testing.T) {
	a, b, srv := bulkPair(t, 4, 4096)
	ctx := context.Background()
	lane, err := b.OpenBulk(ctx, a.ID(), FileRequest{Hash: testHash})
	if err != nil {
		t.Fatal(err)
	}
	defer lane.Close()
	if err := lane.Fetch(ctx, 0, 1, func(int, []byte) error { return nil }); err != nil {
		t.Fatal(err)
	}
	b.host.Network().ClosePeer(a.ID())
	select {
	case <-srv.sources[0].closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the source kept its lane after the connection closed")
	}
	if err := lane.Fetch(ctx, 1, 2, func(int, []byte) error { return nil }); err == nil {
		t.Fatal("a lane fetched after the connection closed")
	}
}
