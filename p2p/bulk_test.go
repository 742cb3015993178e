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

// A stranger who connects to the offered port first, from another address
// or without the key, gets nothing and does not spoil the lane.
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
	// Connect with a wrong key: the greeting fails and the source hangs up.
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", offer.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	bc, _ := newBulkConn(c, make([]byte, bulkKeySize), false)
	bc.writeMessage([]byte(bulkMagic))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("source answered a client with the wrong key")
	}
}

func TestBulkFrameTampering(t *testing.T) {
	key := bytes.Repeat([]byte{7}, bulkKeySize)
	for _, tc := range []struct {
		name   string
		mangle func([]byte) []byte
	}{
		{"flipped byte", func(b []byte) []byte { b[len(b)-20] ^= 1; return b }},
		{"flipped length", func(b []byte) []byte { b[3]--; return append(b[:len(b)-1:len(b)-1], b[len(b)-1]) }},
		{"huge length", func(b []byte) []byte { binary.BigEndian.PutUint32(b, 1<<31); return b }},
		{"truncated", func(b []byte) []byte { return b[:len(b)-5] }},
		{"replayed", func(b []byte) []byte { return append(b, b...) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var wire bytes.Buffer
			client, _ := newBulkConn(pipeConn{&wire}, key, false)
			if err := client.writeMessage([]byte("chunk data here")); err != nil {
				t.Fatal(err)
			}
			frame := tc.mangle(append([]byte(nil), wire.Bytes()...))
			server, _ := newBulkConn(pipeConn{bytes.NewBuffer(frame)}, key, true)
			buf := make([]byte, 1<<10)
			_, err := server.readSealed(buf, 512)
			if tc.name == "replayed" {
				if err != nil {
					t.Fatalf("first copy: %v", err)
				}
				_, err = server.readSealed(buf, 512)
			}
			if err == nil {
				t.Fatal("a mangled frame was accepted")
			}
		})
	}
}

// Frames sent by the client do not open as the server's own (reflection).
func TestBulkDirectionsHaveTheirOwnKeys(t *testing.T) {
	key := bytes.Repeat([]byte{9}, bulkKeySize)
	var wire bytes.Buffer
	client, _ := newBulkConn(pipeConn{&wire}, key, false)
	client.writeMessage([]byte("hello"))
	back, _ := newBulkConn(pipeConn{&wire}, key, false)
	if _, err := back.readSealed(make([]byte, 64), 32); err == nil {
		t.Fatal("a client frame opened on the client side")
	}
}

func FuzzBulkFrame(f *testing.F) {
	key := bytes.Repeat([]byte{3}, bulkKeySize)
	var wire bytes.Buffer
	c, _ := newBulkConn(pipeConn{&wire}, key, false)
	c.writeMessage([]byte{0, 0, 0, 1, 0, 0, 0, 2})
	f.Add(wire.Bytes())
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, _ := newBulkConn(pipeConn{bytes.NewBuffer(b)}, key, true)
		buf := make([]byte, 4096)
		for range 4 {
			if _, err := s.readSealed(buf, bulkRequestSize); err != nil {
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
