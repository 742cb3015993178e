package p2p

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// blockSet is a block list a test changes while nodes run.
type blockSet struct {
	mu  sync.Mutex
	ids map[peer.ID]bool
}

func (b *blockSet) has(id peer.ID) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ids[id]
}

// as is the admission verdict of a node whose set holds the keys given
// that verdict.
func (b *blockSet) as(verdict Admission) func(peer.ID) Admission {
	return func(id peer.ID) Admission {
		if b.has(id) {
			return verdict
		}
		return Admitted
	}
}

func (b *blockSet) set(id peer.ID, on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ids == nil {
		b.ids = map[peer.ID]bool{}
	}
	b.ids[id] = on
}

func newTestNodeWith(t testing.TB, cfg Config) (*Node, *recorder) {
	t.Helper()
	if cfg.Identity == nil {
		priv, _, err := ic.GenerateEd25519Key(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Identity = priv
	}
	cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	rec := newRecorder()
	n, err := New(cfg, rec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n, rec
}

// A blocked key is refused both ways, after its key is proven; the
// connection it had is closed at block time; unblocking lets it back.
func TestBlockedKeyCannotConnect(t *testing.T) {
	var blocks blockSet
	victim, rv := newTestNodeWith(t, Config{Admission: blocks.as(Refused)})
	mal, _ := newTestNode(t, nil)
	connect(t, mal, victim)
	rv.waitFor(t, "mal online", func() bool { return rv.online[mal.ID()] })

	blocks.set(mal.ID(), true)
	victim.Disconnect(mal.ID())
	rv.waitFor(t, "mal offline once blocked", func() bool { return !rv.online[mal.ID()] })
	// From now on the victim's network must never even add a connection
	// of mal's: the gater ends it once Noise has proven the key.
	var added sync.Map
	victim.host.Network().Notify(&network.NotifyBundle{ConnectedF: func(_ network.Network, c network.Conn) {
		added.Store(c.RemotePeer(), true)
	}})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := victim.Connect(ctx, mal.ID(), mal.host.Addrs()); err == nil {
		t.Fatal("the victim dialled a key it blocked")
	}
	for range 3 {
		mal.Connect(ctx, victim.ID(), victim.host.Addrs())
	}
	// An honest colleague connecting afterwards is seen being added.
	other, _ := newTestNode(t, nil)
	connect(t, other, victim)
	rv.waitFor(t, "another colleague online", func() bool { return rv.online[other.ID()] })
	if _, ok := added.Load(mal.ID()); ok || victim.IsConnected(mal.ID()) {
		t.Fatal("a blocked key got a connection")
	}
	rv.mu.Lock()
	online := rv.online[mal.ID()]
	rv.mu.Unlock()
	if online {
		t.Fatal("a blocked key was reported online")
	}
	// Nothing it sends arrives.
	if err := mal.SendDMs(ctx, victim.ID(), []DM{{ID: "x", Text: "hi", SentAt: 1}}, func(DM) error { return nil }); err == nil {
		t.Fatal("a blocked key delivered a direct message")
	}

	blocks.set(mal.ID(), false)
	connect(t, mal, victim)
	rv.waitFor(t, "mal online after the unblock", func() bool { return rv.online[mal.ID()] })
}
