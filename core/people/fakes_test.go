package people

import (
	"context"
	"crypto/rand"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"hallway/chat"
	"hallway/discovery"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// newKey makes an identity; the peer ID carries its public key.
func newKey(t *testing.T) (ic.PubKey, peer.ID) {
	t.Helper()
	_, pub, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pub, id
}

func newID(t *testing.T) peer.ID {
	t.Helper()
	_, id := newKey(t)
	return id
}

func addr(t *testing.T, s string) ma.Multiaddr {
	t.Helper()
	a, err := ma.NewMultiaddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var errBroken = errors.New("disk on fire")

// fakeStore is history in memory.
type fakeStore struct {
	// mu guards every field below.
	mu       sync.Mutex
	peers    map[string]storage.Peer
	settings map[string]string
	static   []string
	verified map[string]storage.Verification
	labels   map[string]string
	blocks   map[string]storage.Block
	broken   bool   // every call fails
	version  uint64 // moves on every write of peers or verifications
	// unsettled has NamesVersion say a write is always under way, so
	// that nothing read is kept and every check reads.
	unsettled bool
	listed    int // calls of Peers and PeerNames
}

func newFakeStore() *fakeStore {
	return &fakeStore{peers: map[string]storage.Peer{}, settings: map[string]string{},
		verified: map[string]storage.Verification{}, labels: map[string]string{}, blocks: map[string]storage.Block{}}
}

// meet records a colleague first seen at the given minute.
func (f *fakeStore) meet(id peer.ID, name string, minute int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	at := time.Date(2026, 1, 1, 9, minute, 0, 0, time.UTC)
	f.version++
	f.peers[id.String()] = storage.Peer{ID: id.String(), Name: name, FirstSeen: at, LastSeen: at}
}

func (f *fakeStore) fail() error {
	if f.broken {
		return errBroken
	}
	return nil
}

func (f *fakeStore) Peer(_ context.Context, id string) (storage.Peer, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.peers[id]
	return p, ok, f.fail()
}

// PeerNames is Peers with the names alone, counted as a listing too.
func (f *fakeStore) PeerNames(ctx context.Context) ([]storage.Peer, error) {
	peers, err := f.Peers(ctx)
	for i, p := range peers {
		peers[i] = storage.Peer{ID: p.ID, Name: p.Name, FirstSeen: p.FirstSeen}
	}
	return peers, err
}

func (f *fakeStore) Peers(context.Context) ([]storage.Peer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listed++
	if err := f.fail(); err != nil {
		return nil, err
	}
	ids := slices.Sorted(maps.Keys(f.peers))
	out := make([]storage.Peer, 0, len(ids))
	for _, id := range ids {
		out = append(out, f.peers[id])
	}
	return out, nil
}

func (f *fakeStore) UpsertPeer(_ context.Context, p storage.Peer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return err
	}
	f.version++
	if old, ok := f.peers[p.ID]; ok {
		p.FirstSeen = old.FirstSeen
	} else {
		p.FirstSeen = p.LastSeen
	}
	f.peers[p.ID] = p
	return nil
}

func (f *fakeStore) Setting(_ context.Context, key string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.settings[key]
	return v, ok, f.fail()
}

func (f *fakeStore) SetSetting(_ context.Context, key, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return err
	}
	f.settings[key] = value
	return nil
}

func (f *fakeStore) StaticPeers(context.Context) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.static), f.fail()
}

func (f *fakeStore) AddStaticPeer(_ context.Context, a string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return false, err
	}
	if slices.Contains(f.static, a) {
		return false, nil
	}
	f.static = append(f.static, a)
	return true, nil
}

func (f *fakeStore) Verifications(context.Context) ([]storage.Verification, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Collect(maps.Values(f.verified)), f.fail()
}

func (f *fakeStore) SetVerified(_ context.Context, v storage.Verification) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return err
	}
	v.At = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	f.version++
	f.verified[v.Peer] = v
	return nil
}

func (f *fakeStore) ClearVerified(_ context.Context, id string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.verified[id]
	f.version++
	delete(f.verified, id)
	return ok, f.fail()
}

func (f *fakeStore) NamesVersion() (uint64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.version, !f.unsettled
}

func (f *fakeStore) Labels(context.Context) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.labels), f.fail()
}

func (f *fakeStore) SetLabel(_ context.Context, id, label string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return err
	}
	if label == "" {
		delete(f.labels, id)
	} else {
		f.labels[id] = label
	}
	return nil
}

func (f *fakeStore) Blocks(context.Context) ([]storage.Block, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Collect(maps.Values(f.blocks))
	slices.SortFunc(out, func(a, b storage.Block) int { return a.At.Compare(b.At) })
	return out, f.fail()
}

func (f *fakeStore) SetBlocked(_ context.Context, b storage.Block) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return err
	}
	if old, ok := f.blocks[b.Peer]; ok {
		b.At = old.At
	} else {
		b.At = time.Date(2026, 1, 3, 0, len(f.blocks), 0, 0, time.UTC)
	}
	f.blocks[b.Peer] = b
	return nil
}

func (f *fakeStore) ClearBlocked(_ context.Context, id string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return false, err
	}
	_, ok := f.blocks[id]
	delete(f.blocks, id)
	return ok, nil
}

// fakeNet is a network host: who is connected, and what was pushed.
type fakeNet struct {
	self peer.ID
	// connect, when set, is the dial; default: it succeeds.
	connect func(ctx context.Context, id peer.ID, addrs []ma.Multiaddr) error
	// push, when set, decides whether a profile push fails; default: none.
	push func(to peer.ID) error

	// mu guards connected, addrs, pushed and dialled.
	mu        sync.Mutex
	connected map[peer.ID]bool
	addrs     map[peer.ID][]ma.Multiaddr
	pushed    map[peer.ID]p2p.Profile
	dialled   []peer.ID
}

func newFakeNet(t *testing.T) *fakeNet {
	return &fakeNet{self: newID(t), connected: map[peer.ID]bool{}, addrs: map[peer.ID][]ma.Multiaddr{},
		pushed: map[peer.ID]p2p.Profile{}}
}

func (n *fakeNet) link(id peer.ID, addrs ...ma.Multiaddr) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.connected[id] = true
	n.addrs[id] = addrs
}

func (n *fakeNet) ID() peer.ID           { return n.self }
func (n *fakeNet) ListenPort() int       { return 4001 }
func (n *fakeNet) Addrs() []ma.Multiaddr { return nil }

func (n *fakeNet) IsConnected(id peer.ID) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.connected[id]
}

func (n *fakeNet) Route(id peer.ID) (string, peer.ID) {
	if n.IsConnected(id) {
		return p2p.ViaDirect, ""
	}
	return "", ""
}

func (n *fakeNet) ConnectedPeers() []peer.ID {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Sorted(maps.Keys(n.connected))
}

func (n *fakeNet) PeerAddrs(id peer.ID) []ma.Multiaddr {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.addrs[id]
}

func (n *fakeNet) PubKey(peer.ID) []byte { return nil }

func (n *fakeNet) ThroughMe() []ma.Multiaddr { return nil }

func (n *fakeNet) MayRelayFor(peer.ID) bool { return false }

func (n *fakeNet) PushProfile(_ context.Context, to peer.ID, p p2p.Profile) error {
	if n.push != nil {
		if err := n.push(to); err != nil {
			return err
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.pushed[to] = p
	return nil
}

func (n *fakeNet) Disconnect(id peer.ID) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.connected, id)
}

func (n *fakeNet) Connect(ctx context.Context, id peer.ID, addrs []ma.Multiaddr) error {
	n.mu.Lock()
	n.dialled = append(n.dialled, id)
	n.mu.Unlock()
	if n.connect != nil {
		if err := n.connect(ctx, id, addrs); err != nil {
			return err
		}
	}
	n.link(id, addrs...)
	return nil
}

// fakeBus records what is published and feeds RunWatch.
type fakeBus struct {
	// mu guards events.
	mu     sync.Mutex
	events []chat.Event
	feed   chan chat.Event
}

func newFakeBus() *fakeBus { return &fakeBus{feed: make(chan chat.Event)} }

func (b *fakeBus) Publish(e chat.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, e)
}

func (b *fakeBus) Subscribe(context.Context) <-chan chat.Event { return b.feed }

func (b *fakeBus) published() []chat.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.events)
}

// noProblems: no dial has failed.
type noProblems struct{}

func (noProblems) LastError(peer.ID) error { return nil }

// sightings records what reaches the dialer.
type sightings struct {
	// mu guards seen.
	mu   sync.Mutex
	seen []discovery.Sighting
}

func (s *sightings) PeerSeen(_ context.Context, sg discovery.Sighting) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, sg)
}

// PeerAddrs is Peers with the addresses alone, counted as a listing too.
func (f *fakeStore) PeerAddrs(ctx context.Context) ([]storage.Peer, error) {
	peers, err := f.Peers(ctx)
	for i, p := range peers {
		peers[i] = storage.Peer{ID: p.ID, Addrs: p.Addrs}
	}
	return peers, err
}
