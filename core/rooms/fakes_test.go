package rooms

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// journal records, in order, what the fakes of one node were asked to do,
// so a test can tell which came first.
type journal struct {
	mu    sync.Mutex // guards lines
	lines []string
}

func (j *journal) add(format string, args ...any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lines = append(j.lines, fmt.Sprintf(format, args...))
}

func (j *journal) all() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.lines)
}

type entryKey struct {
	room, author string
	seq          uint64
}

// fakeStore keeps rooms and room logs in memory, as storage.Store would.
type fakeStore struct {
	log *journal

	mu      sync.Mutex // guards the fields below
	rooms   map[string]storage.Room
	entries map[entryKey]storage.RoomEntry
	members map[string]map[string]string // room → peer → name
	seqs    map[string]uint64            // room/author → last seq handed out
	durable map[entryKey]storage.Durability
	failIns error
}

func newFakeStore(log *journal) *fakeStore {
	return &fakeStore{log: log, rooms: map[string]storage.Room{}, entries: map[entryKey]storage.RoomEntry{},
		members: map[string]map[string]string{}, seqs: map[string]uint64{}, durable: map[entryKey]storage.Durability{}}
}

func (s *fakeStore) Rooms(_ context.Context, includeLeft bool) ([]storage.Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.Room
	for _, r := range s.rooms {
		if includeLeft || !r.Left {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *fakeStore) Room(_ context.Context, id string) (storage.Room, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rooms[id]
	return r, ok, nil
}

func (s *fakeStore) UpsertRoom(_ context.Context, r storage.Room) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rooms[r.ID] = r
	s.log.add("upsert room %s", r.ID)
	return nil
}

func (s *fakeStore) LeaveRoom(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rooms[id]
	if !ok {
		return storage.ErrNoRoom
	}
	r.Left = true
	s.rooms[id] = r
	return nil
}

func (s *fakeStore) RoomMembers(_ context.Context, room string) ([]storage.Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.Member
	for p, name := range s.members[room] {
		out = append(out, storage.Member{Peer: p, Name: name})
	}
	slices.SortFunc(out, func(a, b storage.Member) int { return cmpString(a.Peer, b.Peer) })
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *fakeStore) UnreadCount(context.Context, string, string) (int, error) { return 0, nil }

func (s *fakeStore) NextRoomSeq(_ context.Context, room, author string) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := room + "/" + author
	s.seqs[k]++
	return s.seqs[k], nil
}

func (s *fakeStore) InsertRoomEntriesWith(_ context.Context, d storage.Durability, entries []storage.RoomEntry) ([]storage.RoomEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failIns != nil {
		return nil, s.failIns
	}
	var added []storage.RoomEntry
	for _, e := range entries {
		k := entryKey{e.Room, e.Author, e.Seq}
		if _, ok := s.entries[k]; ok {
			continue
		}
		s.entries[k] = e
		s.durable[k] = d
		if e.Member != nil {
			if s.members[e.Room] == nil {
				s.members[e.Room] = map[string]string{}
			}
			if e.Member.Joined {
				s.members[e.Room][e.Member.Peer] = e.Member.Name
			} else {
				delete(s.members[e.Room], e.Member.Peer)
			}
		}
		added = append(added, e)
		s.log.add("insert %s/%d", e.Room, e.Seq)
	}
	return added, nil
}

// heads is, per author, the highest seq held contiguously from 1.
func (s *fakeStore) heads(room string) map[string]uint64 {
	out := map[string]uint64{}
	for k := range s.entries {
		if k.room == room {
			out[k.author] = 0
		}
	}
	for author := range out {
		for {
			if _, ok := s.entries[entryKey{room, author, out[author] + 1}]; !ok {
				break
			}
			out[author]++
		}
	}
	return out
}

func (s *fakeStore) RoomHeads(_ context.Context, room string) (map[string]uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heads(room), nil
}

func (s *fakeStore) RoomEnvelopesAfter(_ context.Context, room string, have map[string]uint64, limit int) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var missing []storage.RoomEntry
	for k, e := range s.entries {
		if k.room == room && k.seq > have[k.author] {
			missing = append(missing, e)
		}
	}
	slices.SortFunc(missing, func(a, b storage.RoomEntry) int {
		if a.HLC != b.HLC {
			return cmpUint(a.HLC, b.HLC)
		}
		if c := cmpString(a.Author, b.Author); c != 0 {
			return c
		}
		return cmpUint(a.Seq, b.Seq)
	})
	if limit > 0 && len(missing) > limit {
		missing = missing[:limit]
	}
	var out [][]byte
	for _, e := range missing {
		out = append(out, e.Raw)
	}
	return out, nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *fakeStore) RoomHistory(_ context.Context, room string, _ *storage.Cursor, limit int) ([]storage.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rows []storage.Message
	for k, e := range s.entries {
		if k.room == room {
			rows = append(rows, e.Message)
		}
	}
	slices.SortFunc(rows, func(a, b storage.Message) int { return cmpUint(a.HLC, b.HLC) })
	if len(rows) > limit {
		rows = rows[len(rows)-limit:]
	}
	return rows, nil
}

func (s *fakeStore) MarkRoomRead(context.Context, string, uint64) error { return nil }

// count is how many envelopes of room the store holds.
func (s *fakeStore) count(room string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k := range s.entries {
		if k.room == room {
			n++
		}
	}
	return n
}

// fakeTopic is a room subscription on a fakeNet.
type fakeTopic struct {
	validate p2p.RoomValidator
	receive  p2p.RoomReceiver

	mu        sync.Mutex // guards published, peers and left
	published [][]byte
	peers     []peer.ID
	left      bool
}

func (t *fakeTopic) Publish(_ context.Context, data []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.published = append(t.published, data)
	return nil
}

func (t *fakeTopic) Peers() []peer.ID {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.peers)
}

func (t *fakeTopic) Leave() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.left = true
	return nil
}

// deliver is gossip from a peer: validated, then handed over if accepted.
func (t *fakeTopic) deliver(from peer.ID, data []byte) error {
	v, err := t.validate(from, data)
	if err != nil {
		return err
	}
	t.receive(from, v)
	return nil
}

// fakeNet is one node's network: topics it follows and the sync servers
// of the peers it is connected to.
type fakeNet struct {
	id  peer.ID
	log *journal

	mu      sync.Mutex // guards the fields below
	topics  map[string]*fakeTopic
	servers map[peer.ID]p2p.SyncServer
	asked   []peer.ID // peers a sync was started with
}

func newFakeNet(id peer.ID, log *journal) *fakeNet {
	return &fakeNet{id: id, log: log, topics: map[string]*fakeTopic{}, servers: map[peer.ID]p2p.SyncServer{}}
}

func (n *fakeNet) ID() peer.ID { return n.id }

func (n *fakeNet) ConnectedPeers() []peer.ID {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []peer.ID
	for id := range n.servers {
		out = append(out, id)
	}
	return out
}

func (n *fakeNet) Sync(ctx context.Context, to peer.ID, req p2p.SyncRequest, each func(raw []byte) error) error {
	n.mu.Lock()
	srv := n.servers[to]
	n.asked = append(n.asked, to)
	n.mu.Unlock()
	if srv == nil {
		return errors.New("not connected")
	}
	return srv.ServeSync(ctx, n.id, req, each)
}

func (n *fakeNet) JoinRoom(room string, validate p2p.RoomValidator, receive p2p.RoomReceiver) (Topic, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.topics[room]; ok {
		return nil, fmt.Errorf("already following %s", room)
	}
	t := &fakeTopic{validate: validate, receive: receive}
	n.topics[room] = t
	return t, nil
}

func (n *fakeNet) topic(room string) *fakeTopic {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.topics[room]
}

// fakeBus records events in the journal and hands them to the test.
type fakeBus struct {
	log    *journal
	events chan chat.Event
}

func (b *fakeBus) Publish(e chat.Event) {
	b.log.add("publish %T", e)
	select {
	case b.events <- e:
	default: // the test reads what it waits for; older events may go
	}
}

// testNode is a Manager over fakes.
type testNode struct {
	*Manager
	t     *testing.T
	id    peer.ID
	key   ic.PrivKey
	log   *journal
	store *fakeStore
	net   *fakeNet
	bus   *fakeBus
	dms   []string
}

func newTestNode(t *testing.T, name string) *testNode {
	t.Helper()
	key, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	log := &journal{}
	n := &testNode{t: t, id: id, key: key, log: log, store: newFakeStore(log), net: newFakeNet(id, log),
		bus: &fakeBus{log: log, events: make(chan chat.Event, 1024)}}
	n.Manager = New(Config{Identity: key}, Deps{
		Store:     n.store,
		Net:       n.net,
		Publisher: n.bus,
		Spawner: SpawnFunc(func(fn func(context.Context)) {
			wg.Add(1)
			go func() { defer wg.Done(); fn(ctx) }()
		}),
		Closing:   ctx.Done(),
		SelfName:  func() string { return name },
		Self:      func(context.Context) (chat.Self, error) { return chat.Self{PeerID: id.String(), Name: name}, nil },
		Colleague: func(_ context.Context, p peer.ID) chat.Colleague { return chat.Colleague{PeerID: p.String()} },
		ResolvePeer: func(_ context.Context, ref string) (peer.ID, error) {
			return peer.Decode(ref)
		},
		QueueDM: func(_ context.Context, to peer.ID, text, kind, meta string) (chat.Message, error) {
			n.dms = append(n.dms, kind+" "+meta)
			return chat.Message{Text: text}, nil
		},
		FileOffered: func(*storage.RoomEntry) {},
		TransferID:  func(storage.Message) string { return "" },
	})
	if err := n.Open(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Add(1)
	go func() { defer wg.Done(); n.Writer().Run(ctx) }()
	return n
}

// connect lets a and b sync with each other.
func connect(a, b *testNode) {
	a.net.mu.Lock()
	a.net.servers[b.id] = b.Syncer()
	a.net.mu.Unlock()
	b.net.mu.Lock()
	b.net.servers[a.id] = a.Syncer()
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
