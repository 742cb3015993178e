package records

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"hallway/chat"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// fakeStore is a history held in maps. Methods a test does not expect to
// be called panic through the embedded nil Store.
type fakeStore struct {
	Store

	mu        sync.Mutex // guards everything below
	peers     []storage.Peer
	rooms     []storage.Room
	hits      []storage.SearchHit
	query     storage.SearchQuery // the last query Search was given
	searchErr error
	policies  map[string]int
	holds     []storage.LegalHold
	settings  map[string]string
	rows      []storage.ExportRow
	partsErr  error
	expired   storage.ExpiryResult
	expireErr error
	sweeps    int
	forks     []storage.RoomFork
}

func newFakeStore() *fakeStore {
	return &fakeStore{policies: map[string]int{}, settings: map[string]string{}}
}

func (f *fakeStore) Peers(context.Context) ([]storage.Peer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.peers, nil
}

func (f *fakeStore) Rooms(context.Context, bool) ([]storage.Room, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rooms, nil
}

func (f *fakeStore) Room(_ context.Context, id string) (storage.Room, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rooms {
		if r.ID == id {
			return r, true, nil
		}
	}
	return storage.Room{}, false, nil
}

func (f *fakeStore) Search(_ context.Context, q storage.SearchQuery) ([]storage.SearchHit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.query = q
	return f.hits, f.searchErr
}

func (f *fakeStore) RetentionPolicies(context.Context) ([]storage.RetentionPolicy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.RetentionPolicy
	if d, ok := f.policies[storage.ScopeWorkspace]; ok {
		out = append(out, storage.RetentionPolicy{Scope: storage.ScopeWorkspace, Days: d})
	}
	for s, d := range f.policies {
		if s != storage.ScopeWorkspace {
			out = append(out, storage.RetentionPolicy{Scope: s, Days: d})
		}
	}
	return out, nil
}

func (f *fakeStore) SetRetention(_ context.Context, scope string, days int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.policies[scope] = days
	return nil
}

func (f *fakeStore) ClearRetention(_ context.Context, scope string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.policies, scope)
	return nil
}

func (f *fakeStore) LegalHolds(_ context.Context, includeReleased bool) ([]storage.LegalHold, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.LegalHold
	for _, h := range f.holds {
		if includeReleased || h.ReleasedAt.IsZero() {
			out = append(out, h)
		}
	}
	return out, nil
}

func (f *fakeStore) PlaceHold(_ context.Context, h storage.LegalHold) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holds = append(f.holds, h)
	return nil
}

func (f *fakeStore) ReleaseHold(_ context.Context, id string) (storage.LegalHold, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, h := range f.holds {
		if h.ID == id && h.ReleasedAt.IsZero() {
			f.holds[i].ReleasedAt = time.Now()
			return f.holds[i], nil
		}
	}
	return storage.LegalHold{}, fmt.Errorf("release %s: %w", id, storage.ErrNoHold)
}

func (f *fakeStore) Setting(_ context.Context, key string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.settings[key]
	return v, ok, nil
}

func (f *fakeStore) SetSetting(_ context.Context, key, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.settings[key] = value
	return nil
}

func (f *fakeStore) ApplyRetention(context.Context, time.Time) (storage.ExpiryResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sweeps++
	return f.expired, f.expireErr
}

func (f *fakeStore) ExportParticipants(context.Context, storage.ExportScope) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, r := range f.rows {
		if !seen[r.Message.Author] {
			seen[r.Message.Author] = true
			out = append(out, r.Message.Author)
		}
	}
	return out, f.partsErr
}

func (f *fakeStore) ExportMessages(ctx context.Context, sc storage.ExportScope, fn func(storage.ExportRow) error) error {
	f.mu.Lock()
	rows := f.rows
	f.mu.Unlock()
	for _, r := range rows {
		if sc.Conv != "" && r.Message.Conv != sc.Conv {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeStore) RoomMembers(context.Context, string) ([]storage.Member, error) { return nil, nil }
func (f *fakeStore) Transfers(context.Context) ([]storage.Transfer, error)         { return nil, nil }
func (f *fakeStore) RoomForks(_ context.Context, room string) ([]storage.RoomFork, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.RoomFork
	for _, x := range f.forks {
		if x.Room == room {
			out = append(out, x)
		}
	}
	return out, nil
}
func (f *fakeStore) LatestRoomMeta(context.Context, string) (string, error) {
	return "", errors.New("no room message")
}

// fakePeople knows colleagues by name.
type fakePeople struct {
	self  string
	names map[peer.ID]string
}

func (p *fakePeople) Resolve(_ context.Context, ref string) (peer.ID, error) {
	for id, n := range p.names {
		if strings.EqualFold(n, ref) || id.String() == ref {
			return id, nil
		}
	}
	return "", chat.NewUserError(fmt.Sprintf("no colleague %q", ref), chat.ErrUnknownPeer)
}

func (p *fakePeople) Name(_ context.Context, id peer.ID) string { return p.names[id] }
func (p *fakePeople) SelfName() string                          { return p.self }

// Author names the known by their name here, strangers by their claim.
func (p *fakePeople) Author(_ context.Context, id, signed string) chat.Author {
	if pid, err := peer.Decode(id); err == nil && p.names[pid] != "" {
		return chat.Author{Name: p.names[pid]}
	}
	return chat.Author{Name: signed}
}

// fakeRooms knows the joined rooms by name.
type fakeRooms map[string]string // name → id

func (r fakeRooms) JoinedRoom(ref string) (string, error) {
	if id, ok := r[strings.TrimPrefix(ref, "#")]; ok {
		return id, nil
	}
	return "", chat.NewUserError("you are in no such room", chat.ErrUnknownRoom)
}

// fakeEvents records what is published.
type fakeEvents struct {
	mu     sync.Mutex // guards events
	events []chat.Event
}

func (e *fakeEvents) Publish(ev chat.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, ev)
}

func (e *fakeEvents) all() []chat.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]chat.Event(nil), e.events...)
}

// newKey makes an identity and its peer ID.
func newKey(t testing.TB) (ic.PrivKey, peer.ID) {
	t.Helper()
	key, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, id
}

// keeperWorld is a Keeper over fakes, as Ann, who knows Bob.
type keeperWorld struct {
	k      *Keeper
	store  *fakeStore
	people *fakePeople
	events *fakeEvents
	self   peer.ID
	bob    peer.ID
}

func newWorld(t testing.TB) *keeperWorld {
	t.Helper()
	key, self := newKey(t)
	_, bob := newKey(t)
	w := &keeperWorld{store: newFakeStore(), events: &fakeEvents{}, self: self, bob: bob,
		people: &fakePeople{self: "Ann", names: map[peer.ID]string{bob: "Bob"}}}
	w.store.peers = []storage.Peer{{ID: bob.String(), Name: "Bob"}}
	w.store.rooms = []storage.Room{{ID: "r1", Name: "project"}, {ID: "r2", Name: "lunch", Left: true}}
	k, err := New(Config{DataDir: t.TempDir(), Layout: testLayout}, Deps{Store: w.store, Key: key, People: w.people,
		Rooms: fakeRooms{"project": "r1"}, Events: w.events, DMContent: dmContentOf})
	if err != nil {
		t.Fatal(err)
	}
	w.k = k
	return w
}

func (f *fakeStore) RoomEpochKeys(context.Context, string) ([]storage.EpochKey, error) {
	return nil, nil
}
