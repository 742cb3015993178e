package p2p

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// heldSource serves chunks of a given size, each read waiting until the
// test lets go, and records the buffers it is handed.
type heldSource struct {
	size    int
	reading chan int // buffer length, one per read started
	release chan struct{}
}

func (h *heldSource) Manifest() []byte { return []byte("manifest") }
func (h *heldSource) ChunkCount() int  { return 4 }
func (h *heldSource) ChunkSize() int   { return h.size }
func (h *heldSource) ReadChunk(i int, buf []byte) (int, error) {
	h.reading <- len(buf)
	<-h.release
	return h.size, nil
}
func (h *heldSource) Close() error { return nil }

type heldServer struct{ src *heldSource }

func (s heldServer) OpenFile(context.Context, peer.ID, FileRequest) (FileSource, error) {
	return s.src, nil
}

func fileMemory(t *testing.T, n *Node) int64 {
	t.Helper()
	var mem int64
	err := n.host.Network().ResourceManager().ViewProtocol(ProtoFile, func(s network.ProtocolScope) error {
		mem = s.Stat().Memory
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return mem
}

// A chunk run is served from a buffer the size of the content's chunks,
// not of the largest chunk there can be, and the buffer is reserved in the
// resource manager while the run is served.
func TestChunkBufferSizedAndReserved(t *testing.T) {
	src := &heldSource{size: 1 << 20, reading: make(chan int, 8), release: make(chan struct{})}
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	a.SetFileServer(heldServer{src})
	connect(t, b, a)
	done := make(chan error, 1)
	go func() {
		done <- b.FetchChunks(context.Background(), a.ID(), FileRequest{Hash: testHash, Chunks: []ChunkRange{{0, 1}}},
			func(int, []byte) error { return nil })
	}()
	var buf int
	select {
	case buf = <-src.reading:
	case <-time.After(10 * time.Second):
		t.Fatal("no chunk read")
	}
	if buf < src.size || buf > src.size+serveFrameRoom {
		t.Fatalf("a 1 MiB chunk is read into a %d-byte buffer", buf)
	}
	if mem := fileMemory(t, a); mem != int64(serveFrameRoom+src.size) {
		t.Fatalf("file protocol memory while serving: %d, want the buffer's %d", mem, serveFrameRoom+src.size)
	}
	close(src.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if mem := fileMemory(t, a); mem != 0 {
		t.Fatalf("file protocol memory after serving: %d, want 0", mem)
	}
}

// Many chunk runs at once from one peer meet its memory limit: those
// beyond it are told the source is busy, the others are served, and every
// byte is given back.
func TestChunkRequestsBoundedByMemory(t *testing.T) {
	src := &heldSource{size: maxChunkBytes, reading: make(chan int, 16), release: make(chan struct{})}
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	a.SetFileServer(heldServer{src})
	connect(t, b, a)
	const asked = 8
	fits := fileMemoryPerPeer / (serveFrameRoom + maxChunkBytes)
	errs := make(chan error, asked)
	var wg sync.WaitGroup
	for range asked {
		wg.Go(func() {
			errs <- b.FetchChunks(context.Background(), a.ID(), FileRequest{Hash: testHash, Chunks: []ChunkRange{{0, 1}}},
				func(int, []byte) error { return nil })
		})
	}
	busy := 0
	for range asked - fits {
		select {
		case err := <-errs:
			if !errors.Is(err, ErrFileUnavailable) {
				t.Fatalf("a request beyond the memory limit: %v, want the source busy", err)
			}
			busy++
		case <-time.After(20 * time.Second):
			t.Fatalf("%d of %d requests refused; %d fit in %d MiB", busy, asked, fits, fileMemoryPerPeer>>20)
		}
	}
	for range fits {
		select {
		case <-src.reading:
		case <-time.After(20 * time.Second):
			t.Fatal("a request within the limit was not served")
		}
	}
	if mem := fileMemory(t, a); mem != int64(fits*(serveFrameRoom+maxChunkBytes)) {
		t.Fatalf("file protocol memory %d MiB with %d runs served", mem>>20, fits)
	}
	close(src.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a request within the limit failed: %v", err)
		}
	}
	if mem := fileMemory(t, a); mem != 0 {
		t.Fatalf("file protocol memory after serving: %d, want 0", mem)
	}
}
