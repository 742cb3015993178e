package p2p

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// gateConn is a connection whose writes each wait for a turn and are
// recorded, one entry per write of the layer above it.
type gateConn struct {
	net.Conn // nil: only Write and Close are used
	turns    chan struct{}
	started  chan struct{} // told when a write begins
	fail     error

	mu     sync.Mutex
	writes [][]byte
	closed bool
}

func newGateConn() *gateConn {
	return &gateConn{turns: make(chan struct{}, 100), started: make(chan struct{}, 100)}
}

func (g *gateConn) Write(p []byte) (int, error) {
	g.started <- struct{}{}
	<-g.turns
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fail != nil {
		return 0, g.fail
	}
	g.writes = append(g.writes, bytes.Clone(p))
	return len(p), nil
}

func (g *gateConn) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	return nil
}

func (g *gateConn) recorded() ([][]byte, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.writes), g.closed
}

// Frames queued while one is written go out together, in order, and
// Close lets them out before it closes.
func TestBatchConnWritesWhatQueuedAsOne(t *testing.T) {
	g := newGateConn()
	b := newBatchConn(g)
	mustWrite(t, b, "first")
	<-g.started // the first frame is being written, alone
	for _, f := range []string{"-a", "-b", "-c"} {
		mustWrite(t, b, f)
	}
	g.turns <- struct{}{} // the first write ends; the three go next
	<-g.started
	g.turns <- struct{}{}
	closed := make(chan error, 1)
	go func() { closed <- b.Close() }()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	writes, isClosed := g.recorded()
	if len(writes) != 2 || string(writes[0]) != "first" || string(writes[1]) != "-a-b-c" {
		t.Fatalf("writes %q, want \"first\" then \"-a-b-c\"", writes)
	}
	if !isClosed {
		t.Fatal("Close left the connection open")
	}
	if _, err := b.Write([]byte("late")); err == nil {
		t.Fatal("a write after Close succeeded")
	}
}

// A large write is not copied into the queue: it waits for what was
// queued before it, then goes out alone.
func TestBatchConnWritesLargeFramesInTurn(t *testing.T) {
	g := newGateConn()
	b := newBatchConn(g)
	mustWrite(t, b, "small")
	<-g.started
	large := bytes.Repeat([]byte("L"), maxBatchKept+1)
	wrote := make(chan error, 1)
	go func() {
		_, err := b.Write(large)
		wrote <- err
	}()
	g.turns <- struct{}{} // "small" is written; the large one may go now
	<-g.started
	g.turns <- struct{}{}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	mustWrite(t, b, "after")
	<-g.started
	g.turns <- struct{}{}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	writes, _ := g.recorded()
	if len(writes) != 3 || string(writes[0]) != "small" || !bytes.Equal(writes[1], large) || string(writes[2]) != "after" {
		t.Fatalf("%d writes, want \"small\", the large one alone, then \"after\"", len(writes))
	}
}

// The first failed write closes the connection and fails every Write
// after it; a Write waiting for room is woken by it.
func TestBatchConnFailsOnItsFirstError(t *testing.T) {
	g := newGateConn()
	g.fail = errors.New("connection reset")
	b := newBatchConn(g)
	mustWrite(t, b, "x")
	<-g.started // "x" is being written; what follows waits in the queue
	for range maxBatchPending / maxBatchKept {
		mustWrite(t, b, string(make([]byte, maxBatchKept)))
	}
	waiting := make(chan error, 1)
	go func() {
		_, err := b.Write([]byte("more")) // past the bound: waits
		waiting <- err
	}()
	g.turns <- struct{}{}
	if err := <-waiting; err == nil || err.Error() != "connection reset" {
		t.Fatalf("the waiting write returned %v, want the write's error", err)
	}
	if _, closed := g.recorded(); !closed {
		t.Fatal("the failed write left the connection open")
	}
	if _, err := b.Write([]byte("x")); err == nil {
		t.Fatal("a write after the failure succeeded")
	}
}

// Over a real connection, every byte of many writes of all sizes arrives
// in order, however they were batched.
func TestBatchConnKeepsEveryByteInOrder(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		all, _ := io.ReadAll(c)
		got <- all
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b := newBatchConn(c)
	if err := b.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var want bytes.Buffer
	for i := range 5000 {
		p := make([]byte, rng.IntN(3000)+1)
		for j := range p {
			p[j] = byte(i + j)
		}
		want.Write(p)
		if n, err := b.Write(p); err != nil || n != len(p) {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
		clear(p) // the caller may reuse its buffer once Write returns
	}
	b.mu.Lock()
	idle := b.idle
	b.mu.Unlock()
	if idle != nil {
		<-idle // all written: Close does not wait long for what is left
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if all := <-got; !bytes.Equal(all, want.Bytes()) {
		t.Fatalf("received %d bytes, want the %d written, in order", len(all), want.Len())
	}
}

func mustWrite(t *testing.T, b *batchConn, s string) {
	t.Helper()
	if n, err := b.Write([]byte(s)); err != nil || n != len(s) {
		t.Fatalf("write %q: %d, %v", s, n, err)
	}
}
