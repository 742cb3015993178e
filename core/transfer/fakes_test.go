package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// fakeStore keeps transfers in memory, as storage.Store does on disk.
type fakeStore struct {
	mu    sync.Mutex // guards rows and order
	rows  map[string]storage.Transfer
	order []string
}

func newFakeStore() *fakeStore { return &fakeStore{rows: map[string]storage.Transfer{}} }

func (f *fakeStore) InsertTransfer(_ context.Context, t storage.Transfer) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.rows[t.ID]; ok {
		return false, nil
	}
	if t.State == "" {
		t.State = storage.TransferOffered
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now()
	}
	f.rows[t.ID] = t
	f.order = append(f.order, t.ID)
	return true, nil
}

func (f *fakeStore) Transfer(_ context.Context, id string) (storage.Transfer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.rows[id]
	if !ok {
		return t, fmt.Errorf("fake: %w", storage.ErrNoTransfer)
	}
	return t, nil
}

func (f *fakeStore) Transfers(context.Context) ([]storage.Transfer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.Transfer
	for _, id := range slices.Backward(f.order) {
		out = append(out, f.rows[id])
	}
	return out, nil
}

func (f *fakeStore) UnfinishedDownloads(ctx context.Context) ([]storage.Transfer, error) {
	all, _ := f.Transfers(ctx)
	return slices.DeleteFunc(all, func(t storage.Transfer) bool {
		return t.Direction != storage.TransferIn || t.State != storage.TransferActive && t.State != storage.TransferPaused
	}), nil
}

func (f *fakeStore) UpdateTransfer(_ context.Context, id string, u storage.TransferUpdate) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.rows[id]
	if !ok {
		return fmt.Errorf("fake: %w", storage.ErrNoTransfer)
	}
	if u.State != nil {
		t.State = *u.State
	}
	if u.Error != nil {
		t.Error = *u.Error
	}
	if u.Manifest != nil {
		t.Manifest = u.Manifest
	}
	if u.DestDir != nil {
		t.DestDir = *u.DestDir
	}
	if u.FinalPath != nil {
		t.FinalPath = *u.FinalPath
	}
	if u.ShareState != nil {
		t.ShareState = *u.ShareState
	}
	if u.ShareNote != nil {
		t.ShareNote = *u.ShareNote
	}
	f.rows[id] = t
	return nil
}

func (f *fakeStore) SaveProgress(_ context.Context, id string, done int64, have []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.rows[id]
	if !ok {
		return fmt.Errorf("fake: %w", storage.ErrNoTransfer)
	}
	t.BytesDone, t.Have = done, slices.Clone(have)
	f.rows[id] = t
	return nil
}

func (f *fakeStore) Servable(_ context.Context, hash string) ([]storage.Transfer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.Transfer
	for _, id := range slices.Backward(f.order) {
		t := f.rows[id]
		if t.ManifestHash != hash {
			continue
		}
		if t.Direction == storage.TransferOut && t.State != storage.TransferCancelled && t.SourcePath != "" ||
			t.Direction == storage.TransferIn && t.State == storage.TransferDone && t.FinalPath != "" {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b storage.Transfer) int {
		if a.Direction == b.Direction {
			return 0
		}
		if a.Direction == storage.TransferOut {
			return -1
		}
		return 1
	})
	return out, nil
}

// fakeNet serves one file's manifest and chunks from a source on disk,
// over "streams" only: its bulk lane is never reachable.
type fakeNet struct {
	self      peer.ID
	connected map[peer.ID]bool
	src       p2p.FileSource // nil: nobody has the content
	hasFile   map[peer.ID]bool
	// failChunks, when set, is the error every chunk fetch ends with.
	failChunks error
	// checkReq, when set, refuses requests it returns an error for.
	checkReq func(from peer.ID, req p2p.FileRequest) error

	mu       sync.Mutex // guards bulkAsks
	bulkAsks int
}

func (n *fakeNet) ID() peer.ID                 { return n.self }
func (n *fakeNet) IsConnected(id peer.ID) bool { return n.connected[id] }
func (n *fakeNet) Via(id peer.ID) string {
	if n.connected[id] {
		return p2p.ViaDirect
	}
	return ""
}
func (n *fakeNet) DialDirect(context.Context, peer.ID) error { return nil }

// serves says whether from answers req.
func (n *fakeNet) serves(from peer.ID, req p2p.FileRequest) error {
	if n.src == nil || !n.connected[from] {
		return errors.New("fake: not available")
	}
	if n.checkReq != nil {
		return n.checkReq(from, req)
	}
	return nil
}

func (n *fakeNet) FetchManifest(_ context.Context, from peer.ID, req p2p.FileRequest) ([]byte, error) {
	if err := n.serves(from, req); err != nil {
		return nil, err
	}
	return n.src.Manifest(), nil
}

func (n *fakeNet) HasFile(_ context.Context, from peer.ID, req p2p.FileRequest) error {
	if !n.hasFile[from] {
		return errors.New("fake: not here")
	}
	return n.serves(from, req)
}

func (n *fakeNet) OpenBulk(context.Context, peer.ID, p2p.FileRequest) (*p2p.BulkLane, error) {
	n.mu.Lock()
	n.bulkAsks++
	n.mu.Unlock()
	return nil, p2p.ErrBulkUnreachable
}

func (n *fakeNet) FetchChunks(_ context.Context, from peer.ID, req p2p.FileRequest, each func(int, []byte) error) error {
	if err := n.serves(from, req); err != nil {
		return err
	}
	if n.failChunks != nil {
		return n.failChunks
	}
	buf := make([]byte, files.MaxChunkSize)
	for _, r := range req.Chunks {
		for i := r.From; i < r.To; i++ {
			k, err := n.src.ReadChunk(i, buf)
			if err != nil {
				return err
			}
			if err := each(i, buf[:k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// fakeBus hands every event to a channel big enough for a test.
type fakeBus struct{ events chan chat.Event }

func (b *fakeBus) Publish(e chat.Event) {
	select {
	case b.events <- e:
	default:
	}
}

// waitState waits for an event saying transfer id is in state.
func (b *fakeBus) waitState(t *testing.T, id, state string) chat.Transfer {
	t.Helper()
	deadline := time.After(15 * time.Second)
	var last chat.Transfer
	for {
		select {
		case e := <-b.events:
			if tc, ok := e.(chat.TransferChanged); ok && tc.Transfer.ID == id {
				if tc.Transfer.State == state {
					return tc.Transfer
				}
				last = tc.Transfer
			}
		case <-deadline:
			t.Fatalf("transfer %s never became %s (last seen: %q %s)", id, state, last.State, last.Error)
		}
	}
}

// fakeSpawner runs goroutines until the test ends, then waits for them.
type fakeSpawner struct {
	ctx context.Context
	wg  sync.WaitGroup
}

func (s *fakeSpawner) Go(fn func(ctx context.Context)) {
	s.wg.Add(1)
	go func() { defer s.wg.Done(); fn(s.ctx) }()
}

type fakePeers map[string]peer.ID

func (p fakePeers) Resolve(_ context.Context, ref string) (peer.ID, error) {
	if id, ok := p[ref]; ok {
		return id, nil
	}
	return "", chat.NewUserError("no colleague "+ref, chat.ErrUnknownPeer)
}

func (p fakePeers) PeerName(_ context.Context, id peer.ID) string {
	for name, pid := range p {
		if pid == id {
			return name
		}
	}
	return ""
}

// fakeRooms is one joined room.
type fakeRooms struct {
	id    string
	key   hcrypto.RoomKey
	peers []peer.ID
	live  bool // the room is live-only
}

func (r *fakeRooms) LiveOnly(room string) bool { return room == r.id && r.live }

func (r *fakeRooms) RoomID(ref string) (string, error) {
	if ref == "#"+r.id {
		return r.id, nil
	}
	return "", chat.NewUserError("no room "+ref, chat.ErrUnknownRoom)
}

func (r *fakeRooms) Proof(room, label string, requester, responder peer.ID) ([]byte, bool) {
	if room != r.id {
		return nil, false
	}
	p := r.key.SyncProof(label, []byte(requester), []byte(responder))
	return p[:], true
}

func (r *fakeRooms) CheckProof(room, label string, requester, responder peer.ID, proof []byte) bool {
	return room == r.id && r.key.CheckSyncProof(label, []byte(requester), []byte(responder), proof)
}

func (r *fakeRooms) RoomPeers(room string) ([]peer.ID, bool) {
	if room != r.id {
		return nil, false
	}
	return r.peers, true
}

// sent is a message a Poster was asked to deliver.
type sent struct {
	to         peer.ID
	room       string
	text, kind string
	meta       string
}

type fakePoster struct {
	mu   sync.Mutex // guards msgs
	msgs []sent
	fail error
}

func (p *fakePoster) QueueDM(_ context.Context, to peer.ID, text, kind, meta string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return p.fail
	}
	p.msgs = append(p.msgs, sent{to: to, text: text, kind: kind, meta: meta})
	return nil
}

func (p *fakePoster) PostFile(_ context.Context, room, offer string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return p.fail
	}
	p.msgs = append(p.msgs, sent{room: room, kind: p2p.DMKindFile, meta: offer})
	return nil
}

func (p *fakePoster) all() []sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.msgs)
}

var (
	ann   = testPeer(1)
	bob   = testPeer(2)
	carol = testPeer(3)
)

// testPeer is a valid peer id made from a fixed seed.
func testPeer(seed byte) peer.ID {
	_, pub, err := ic.GenerateEd25519Key(bytes.NewReader(bytes.Repeat([]byte{seed}, 64)))
	if err != nil {
		panic(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return id
}

// rig is a transfer service over fakes, running as bob.
type rig struct {
	*Service
	store *fakeStore
	net   *fakeNet
	bus   *fakeBus
	rooms *fakeRooms
	post  *fakePoster
}

func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	if cfg.Downloads == "" {
		cfg.Downloads = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	sp := &fakeSpawner{ctx: ctx}
	t.Cleanup(func() { cancel(); sp.wg.Wait() })
	r := &rig{
		store: newFakeStore(),
		net:   &fakeNet{self: bob, connected: map[peer.ID]bool{}, hasFile: map[peer.ID]bool{}},
		bus:   &fakeBus{events: make(chan chat.Event, 4096)},
		rooms: &fakeRooms{id: "r00m1d", key: hcrypto.RoomKey{7}},
		post:  &fakePoster{},
	}
	r.Service = New(cfg, Deps{
		Store: r.store, Net: r.net, Bus: r.bus, Spawn: sp,
		Peers: fakePeers{"Ann": ann, "Bob": bob, "Carol": carol}, Rooms: r.rooms, Post: r.post,
	})
	return r
}

// state is the stored state of transfer id.
func (r *rig) state(t *testing.T, id string) storage.Transfer {
	t.Helper()
	got, err := r.store.Transfer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// content writes a file of n pseudo-random bytes and returns its path.
func content(t *testing.T, name string, n int) string {
	t.Helper()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	// Not t.TempDir: a file the service still serves when the test ends
	// cannot be removed on Windows until the rig's goroutines stop, which
	// happens after this folder's cleanup.
	dir, err := os.MkdirTemp("", "content")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
