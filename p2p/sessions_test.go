package p2p

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// fakeConn is a connection told apart from others by its name alone.
type fakeConn struct {
	network.Conn
	name string
}

func TestSessionTransitions(t *testing.T) {
	c1, c2, c3 := &fakeConn{name: "1"}, &fakeConn{name: "2"}, &fakeConn{name: "3"}
	s := sessions{}
	const id = peer.ID("p")
	steps := []struct {
		live []network.Conn
		want transition
	}{
		{nil, unchanged},
		{[]network.Conn{c1}, cameOnline},
		{[]network.Conn{c1, c2}, unchanged}, // a second connection
		{[]network.Conn{c2}, unchanged},     // the first closed, one remains
		{[]network.Conn{c3}, reconnected},   // all we knew closed, a new one
		{nil, wentOffline},
		{nil, unchanged},
		{[]network.Conn{c1}, cameOnline},
	}
	for i, st := range steps {
		if got := s.update(id, st.live); got != st.want {
			t.Fatalf("step %d: %d, want %d", i, got, st.want)
		}
	}
}

// gatedHandler holds its first PeerConnected until released, as a busy
// node would, so that the notifications that follow queue up behind it.
type gatedHandler struct {
	*recorder
	entered, release chan struct{}
	first            bool
}

func (g *gatedHandler) PeerConnected(id peer.ID) {
	if !g.first {
		g.first = true
		close(g.entered)
		<-g.release
	}
	g.recorder.PeerConnected(id)
}

// TestReconnectSeenWhileBusy: a peer loses its connection and makes a
// new one while the node is still handling its arrival. The node catches
// the peer up again (PeerConnected), though by the time it looks the peer
// is connected as before.
func TestReconnectSeenWhileBusy(t *testing.T) {
	priv, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h := &gatedHandler{recorder: newRecorder(), entered: make(chan struct{}), release: make(chan struct{})}
	a, err := New(Config{Identity: priv, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}}, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b, _ := newTestNode(t, nil)
	connect(t, a, b)
	<-h.entered
	old := a.host.Network().ConnsToPeer(b.ID())
	if err := a.host.Network().ClosePeer(b.ID()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Connect(ctx, b.ID(), b.host.Addrs()); err != nil {
		t.Fatal(err)
	}
	if now := a.host.Network().ConnsToPeer(b.ID()); len(now) == 0 || len(old) == 0 || now[0] == old[0] {
		t.Fatalf("no new connection: before %v, after %v", old, now)
	}
	close(h.release)
	h.waitFor(t, "b caught up again", func() bool { return h.ups == 2 })
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.downs != 0 || !h.online[b.ID()] {
		t.Fatalf("after the gap: %d offline reports, online %v", h.downs, h.online[b.ID()])
	}
}
