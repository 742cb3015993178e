package rooms

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// testNode is a Manager over fakes.
type testNode struct {
	*Manager
	t      *testing.T
	id     peer.ID
	key    ic.PrivKey
	log    *journal
	store  *fakeStore
	net    *fakeNet
	bus    *fakeBus
	dms    []string
	blocks *fakeBlocks
	// keys are the room keys this node queued, with their recipient.
	keysMu sync.Mutex
	keys   []sentKey
	// toldAdmitted are the peers Deps.Admitted was told of.
	toldAdmitted sync.Map // peer.ID → true
}

type sentKey struct {
	to peer.ID
	k  p2p.RoomKey
}

// fakeBlocks is a block list.
type fakeBlocks struct {
	mu  sync.Mutex // guards ids
	ids map[peer.ID]bool
}

func (b *fakeBlocks) IsBlocked(id peer.ID) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ids[id]
}

func (b *fakeBlocks) BlockedIDs() []peer.ID {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []peer.ID
	for id, on := range b.ids {
		if on {
			out = append(out, id)
		}
	}
	return out
}

func (b *fakeBlocks) set(id peer.ID, on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ids[id] = on
}

func newTestNode(t *testing.T, name string) *testNode {
	t.Helper()
	return newTestNodeWith(t, name, nil, nil)
}

// newTestNodeIn is a node of the private workspace ws (nil: open LAN).
func newTestNodeIn(t *testing.T, name string, ws *hcrypto.WorkspaceKey) *testNode {
	t.Helper()
	return newTestNodeWith(t, name, ws, nil)
}

// newTestNodeWith is a node of workspace ws (nil: open LAN) with history
// prepared by fill before the node opens.
func newTestNodeWith(t *testing.T, name string, ws *hcrypto.WorkspaceKey, fill func(*fakeStore)) *testNode {
	t.Helper()
	key, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return newTestNodeKeyed(t, name, key, ws, fill)
}

// newTestNodeKeyed is newTestNodeWith under a given identity: the same
// node started again, over whatever history fill leaves it.
func newTestNodeKeyed(t *testing.T, name string, key ic.PrivKey, ws *hcrypto.WorkspaceKey, fill func(*fakeStore)) *testNode {
	t.Helper()
	return newTestNodeConfig(t, name, Config{Identity: key, Workspace: ws}, fill)
}

// newTestNodeConfig is a node of cfg, whose Identity is its key.
func newTestNodeConfig(t *testing.T, name string, cfg Config, fill func(*fakeStore)) *testNode {
	t.Helper()
	key := cfg.Identity
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	// Another node's goroutine may ask this one to spawn (a sync back)
	// while it is torn down: nothing is spawned once it closes.
	var spawnMu sync.Mutex
	closed := false
	t.Cleanup(func() {
		spawnMu.Lock()
		closed = true
		spawnMu.Unlock()
		cancel()
		wg.Wait()
	})
	log := &journal{}
	n := &testNode{t: t, id: id, key: key, log: log, store: newFakeStore(log), net: newFakeNet(id, log),
		bus: &fakeBus{log: log, events: make(chan chat.Event, 1024)}, blocks: &fakeBlocks{ids: map[peer.ID]bool{}}}
	// Direct messages are recorded, room keys apart, for handOver.
	queueDM := func(_ context.Context, to peer.ID, text, kind, meta string) (chat.Message, error) {
		n.keysMu.Lock()
		n.dms = append(n.dms, kind+" "+meta)
		n.keysMu.Unlock()
		if kind == p2p.DMKindRoomKey {
			var k p2p.RoomKey
			if err := json.Unmarshal([]byte(meta), &k); err != nil {
				t.Errorf("room key DM: %v", err)
			}
			n.keysMu.Lock()
			n.keys = append(n.keys, sentKey{to, k})
			n.keysMu.Unlock()
		}
		return chat.Message{Text: text}, nil
	}
	n.Manager = New(cfg, Deps{
		Store:     n.store,
		Net:       n.net,
		Publisher: n.bus,
		Spawner: SpawnFunc(func(fn func(context.Context)) {
			spawnMu.Lock()
			defer spawnMu.Unlock()
			if closed {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); fn(ctx) }()
		}),
		Closing:   ctx.Done(),
		Admitted:  func(p peer.ID) { n.toldAdmitted.Store(p, true) },
		SelfName:  func() string { return name },
		Self:      func(context.Context) (chat.Self, error) { return chat.Self{PeerID: id.String(), Name: name}, nil },
		Colleague: func(_ context.Context, p peer.ID) chat.Colleague { return chat.Colleague{PeerID: p.String()} },
		ResolvePeer: func(_ context.Context, ref string) (peer.ID, error) {
			return peer.Decode(ref)
		},
		QueueDM: queueDM,
		QueueDMs: func(ctx context.Context, tos []peer.ID, text, kind, meta string) error {
			for _, to := range tos {
				queueDM(ctx, to, text, kind, meta)
			}
			return nil
		},
		FileOffered: func(*storage.RoomEntry) {},
		TransferID:  func(storage.Message) string { return "" },
		Blocks:      n.blocks,
		Author:      func(_ context.Context, _, signed string) chat.Author { return chat.Author{Name: signed} },
	})
	if fill != nil {
		fill(n.store)
	}
	if err := n.Open(ctx); err != nil {
		t.Fatal(err)
	}
	dialable.Store(id, n.Manager)
	t.Cleanup(func() { dialable.Delete(id) })
	wg.Add(1)
	go func() { defer wg.Done(); n.Writer().Run(ctx) }()
	return n
}

// joinFrom joins n to from's room ref as an accepted invitation does.
func (n *testNode) joinFrom(from *testNode, ref string) (chat.Room, error) {
	j, err := from.joined.Resolve(ref)
	if err != nil {
		return chat.Room{}, err
	}
	ctx := context.Background()
	if err := n.join(ctx, storage.Room{ID: j.id, Name: j.name, Key: j.key}, &hcrypto.MemberOp{Kind: hcrypto.BodyJoin}); err != nil {
		return chat.Room{}, err
	}
	return n.summary(ctx, n.joined.Get(j.id))
}

// connect lets a and b sync with each other.
func connect(a, b *testNode) {
	a.net.mu.Lock()
	a.net.servers[b.id] = b.Syncer()
	a.net.redeemers[b.id] = b.Manager
	a.net.mu.Unlock()
	b.net.mu.Lock()
	b.net.servers[a.id] = a.Syncer()
	b.net.redeemers[a.id] = a.Manager
	b.net.mu.Unlock()
}

// disconnect undoes connect.
func disconnect(a, b *testNode) {
	a.net.mu.Lock()
	delete(a.net.servers, b.id)
	delete(a.net.redeemers, b.id)
	a.net.mu.Unlock()
	b.net.mu.Lock()
	delete(b.net.servers, a.id)
	delete(b.net.redeemers, a.id)
	b.net.mu.Unlock()
}

// waitFor re-checks cond after every event of n until it holds or the
// deadline passes.
func (n *testNode) waitFor(what string, cond func() bool) {
	n.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-n.bus.events:
		case <-deadline:
			n.t.Fatalf("timed out waiting for %s", what)
		}
	}
}
