package p2p

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	ic "github.com/libp2p/go-libp2p/core/crypto"
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
	victim, rv := newTestNodeWith(t, Config{Blocked: blocks.has})
	mal, _ := newTestNode(t, nil)
	connect(t, mal, victim)
	rv.waitFor(t, "mal online", func() bool { return rv.online[mal.ID()] })

	blocks.set(mal.ID(), true)
	victim.Disconnect(mal.ID())
	rv.waitFor(t, "mal offline once blocked", func() bool { return !rv.online[mal.ID()] })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := victim.Connect(ctx, mal.ID(), mal.host.Addrs()); err == nil {
		t.Fatal("the victim dialled a key it blocked")
	}
	for range 3 {
		// The victim's gater refuses once Noise has proven the key.
		mal.Connect(ctx, victim.ID(), victim.host.Addrs())
	}
	if victim.IsConnected(mal.ID()) {
		t.Fatal("a blocked key is connected")
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
