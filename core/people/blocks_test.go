package people

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"hallway/chat"
	"hallway/discovery"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// redials records the colleagues reached again.
type redials struct {
	mu  sync.Mutex // guards ids
	ids []peer.ID
}

func (r *redials) Reconnect(_ context.Context, id peer.ID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, id)
}

type blockRig struct {
	store  *fakeStore
	net    *fakeNet
	bus    *fakeBus
	redial *redials
	dir    *Directory
	blocks *Blocklist
}

func newBlockRig(t *testing.T, store *fakeStore) *blockRig {
	r := &blockRig{store: store, net: newFakeNet(t), bus: newFakeBus(), redial: &redials{}}
	r.blocks = NewBlocklist(BlocklistDeps{Store: store, Self: r.net, Names: lazyNames{&r.dir}, Net: r.net, Redial: r.redial, Publisher: r.bus})
	r.dir = NewDirectory(DirectoryDeps{Store: store, Links: r.net, Problems: noProblems{}, Blocks: r.blocks})
	if err := r.blocks.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// lazyNames names colleagues through a directory built after the list.
type lazyNames struct{ dir **Directory }

func (l lazyNames) Colleague(ctx context.Context, id peer.ID) chat.Colleague {
	return (*l.dir).Colleague(ctx, id)
}

func TestBlockClosesRefusesAndSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	store := newFakeStore()
	r := newBlockRig(t, store)
	mal := newID(t)
	store.meet(mal, "Mallory", 1)
	r.net.link(mal)

	b, err := r.blocks.Block(ctx, mal, "  sends abuse  ")
	if err != nil {
		t.Fatal(err)
	}
	if b.PeerID != mal.String() || b.Name != "Mallory" || b.Reason != "sends abuse" || b.Fingerprint == "" || b.At.IsZero() {
		t.Fatalf("block %+v", b)
	}
	if !r.blocks.IsBlocked(mal) || r.net.IsConnected(mal) {
		t.Fatal("blocked, yet not refused or still connected")
	}
	evs := r.bus.published()
	if len(evs) != 1 {
		t.Fatalf("events %v", evs)
	}
	if u, ok := evs[0].(chat.PeerUpdated); !ok || !u.Peer.Blocked || u.Peer.Online {
		t.Fatalf("event %#v, want the colleague updated as blocked and offline", evs[0])
	}
	// Even if a connection is still up for a moment, the list says blocked.
	r.net.link(mal)
	if c := r.dir.Colleague(ctx, mal); !c.Blocked || c.Online || c.Status != chat.StatusOffline {
		t.Fatalf("colleague %+v", c)
	}

	// A restart reads the list back.
	again := newBlockRig(t, store)
	if !again.blocks.IsBlocked(mal) {
		t.Fatal("the block did not survive a restart")
	}
	list, err := again.blocks.List(ctx)
	if err != nil || len(list) != 1 || list[0].Reason != "sends abuse" {
		t.Fatalf("list %+v %v", list, err)
	}

	if _, err := again.blocks.Unblock(ctx, mal); err != nil {
		t.Fatal(err)
	}
	if again.blocks.IsBlocked(mal) || len(again.redial.ids) != 1 || again.redial.ids[0] != mal {
		t.Fatalf("unblocked: still blocked %v, redialled %v", again.blocks.IsBlocked(mal), again.redial.ids)
	}
	if _, err := again.blocks.Unblock(ctx, mal); err == nil || !strings.Contains(chat.UserMessage(err), "not blocked") {
		t.Fatalf("unblocking twice: %v", err)
	}
	if l, _ := again.blocks.List(ctx); len(l) != 0 {
		t.Fatalf("list after the unblock: %+v", l)
	}
}

func TestBlockRefusesSelfAndBadReasons(t *testing.T) {
	ctx := context.Background()
	r := newBlockRig(t, newFakeStore())
	if _, err := r.blocks.Block(ctx, r.net.self, ""); err == nil {
		t.Fatal("blocked myself")
	}
	mal := newID(t)
	if _, err := r.blocks.Block(ctx, mal, strings.Repeat("x", chat.MaxBlockReason+1)); err == nil {
		t.Fatal("an over-long reason was accepted")
	}
	if _, err := r.blocks.Block(ctx, mal, "\xff\xfe"); err == nil {
		t.Fatal("a reason that is not text was accepted")
	}
	if r.blocks.IsBlocked(mal) {
		t.Fatal("a refused block took effect")
	}
	r.store.broken = true
	if _, err := r.blocks.Block(ctx, mal, ""); !errors.Is(err, errBroken) || r.blocks.IsBlocked(mal) {
		t.Fatalf("a block that could not be saved: %v, blocked %v", err, r.blocks.IsBlocked(mal))
	}
}

// The dialer never dials a blocked key, whoever names it.
func TestDialerSkipsBlocked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		store := newFakeStore()
		r := newBlockRig(t, store)
		mal := newID(t)
		at := "/ip4/10.0.0.9/tcp/4001"
		store.peers[mal.String()] = storage.Peer{ID: mal.String(), Name: "Mallory", Addrs: []string{at}}
		if _, err := r.blocks.Block(ctx, mal, ""); err != nil {
			t.Fatal(err)
		}
		d := NewDialer(DialerConfig{}, DialerDeps{Net: r.net, Store: store, Blocks: r.blocks})
		done := make(chan struct{})
		go func() { defer close(done); d.Run(ctx) }()
		synctest.Wait() // the first round tries known colleagues
		for _, via := range []string{discovery.ViaStatic, discovery.ViaMDNS} {
			d.PeerSeen(ctx, discovery.Sighting{ID: mal, Addrs: []ma.Multiaddr{addr(t, at)}, Via: via})
		}
		d.Reconnect(ctx, mal)
		synctest.Wait()
		r.net.mu.Lock()
		dialled := len(r.net.dialled)
		r.net.mu.Unlock()
		if dialled != 0 {
			t.Fatalf("a blocked colleague was dialled %d times", dialled)
		}
		cancel()
		<-done
	})
}
