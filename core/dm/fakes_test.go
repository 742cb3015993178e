package dm

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// identity is a colleague's key and peer id.
type identity struct {
	key ic.PrivKey
	id  peer.ID
}

func newIdentity(t *testing.T) identity {
	t.Helper()
	key, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return identity{key: key, id: id}
}

// fakeNet delivers nothing: it records the frames each colleague
// acknowledges, and fails where told to.
type fakeNet struct {
	self peer.ID

	mu        sync.Mutex // guards all below
	connected map[peer.ID]bool
	got       map[peer.ID][]p2p.DM // acknowledged frames per colleague
	attempts  int
	// failAfter, when ≥ 0, makes the next SendDMs acknowledge that many
	// frames and then fail; it is reset to -1 by that call.
	failAfter int
}

var errLinkDown = errors.New("link down")

func newFakeNet(self peer.ID) *fakeNet {
	return &fakeNet{self: self, connected: map[peer.ID]bool{}, got: map[peer.ID][]p2p.DM{}, failAfter: -1}
}

func (n *fakeNet) ID() peer.ID { return n.self }

func (n *fakeNet) IsConnected(id peer.ID) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.connected[id]
}

func (n *fakeNet) connect(id peer.ID) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.connected[id] = true
}

func (n *fakeNet) SendDMs(_ context.Context, to peer.ID, msgs []p2p.DM, onAck func(p2p.DM) error) error {
	n.mu.Lock()
	n.attempts++
	limit := len(msgs)
	fail := n.failAfter >= 0
	if fail {
		limit = min(n.failAfter, len(msgs))
		n.failAfter = -1
	}
	n.mu.Unlock()
	for _, m := range msgs[:limit] {
		if err := onAck(m); err != nil {
			return err
		}
		n.mu.Lock()
		n.got[to] = append(n.got[to], m)
		n.mu.Unlock()
	}
	if fail {
		return errLinkDown
	}
	return nil
}

func (n *fakeNet) received(id peer.ID) []p2p.DM {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]p2p.DM(nil), n.got[id]...)
}

// fakePublisher records events.
type fakePublisher struct {
	mu     sync.Mutex // guards events
	events []chat.Event
}

func (p *fakePublisher) Publish(e chat.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, e)
}

func (p *fakePublisher) all() []chat.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]chat.Event(nil), p.events...)
}

// fakeSpawner runs goroutines the test waits for.
type fakeSpawner struct {
	ctx context.Context
	wg  sync.WaitGroup
}

func (s *fakeSpawner) Go(fn func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn(s.ctx)
	}()
}

// fakeColleagues knows colleagues by name.
type fakeColleagues map[string]peer.ID

func (c fakeColleagues) Resolve(_ context.Context, ref string) (peer.ID, error) {
	if id, ok := c[ref]; ok {
		return id, nil
	}
	if id, err := peer.Decode(ref); err == nil {
		return id, nil
	}
	return "", chat.NewUserError("no colleague "+ref, chat.ErrUnknownPeer)
}

func (c fakeColleagues) Name(_ context.Context, id peer.ID) string {
	for name, cid := range c {
		if cid == id {
			return name
		}
	}
	return ""
}

// fakeMessages shows stored messages plainly.
type fakeMessages struct{ self peer.ID }

func (f fakeMessages) ToMessage(m storage.Message, names map[string]string) chat.Message {
	return chat.Message{ID: m.ID, Conversation: m.Conv, From: m.Author, FromName: names[m.Author],
		Text: m.Text, Kind: m.Kind, Time: m.SentAt, State: string(m.State), Seq: m.Seq,
		Outgoing: m.Author == f.self.String()}
}

// fakeFeatures records what messages hand to dialing, transfers and rooms.
type fakeFeatures struct {
	mu         sync.Mutex // guards all below
	reconnects []peer.ID
	offers     []*p2p.FileOffer
	statuses   []*p2p.FileStatus
	invites    []*p2p.RoomInvite
}

func (f *fakeFeatures) Reconnect(_ context.Context, id peer.ID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reconnects = append(f.reconnects, id)
}

func (f *fakeFeatures) OfferReceived(_ context.Context, _ peer.ID, _ string, o *p2p.FileOffer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offers = append(f.offers, o)
}

func (f *fakeFeatures) FileStatusReceived(_ context.Context, _ peer.ID, st *p2p.FileStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses = append(f.statuses, st)
}

func (f *fakeFeatures) RoomKeyReceived(context.Context, peer.ID, *p2p.RoomKey) {}

func (f *fakeFeatures) InviteReceived(_ context.Context, _ peer.ID, inv *p2p.RoomInvite) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invites = append(f.invites, inv)
}

// party is one node's direct messages over fakes.
type party struct {
	identity
	dm     *Service
	store  *fakeStore
	net    *fakeNet
	pub    *fakePublisher
	spawn  *fakeSpawner
	feat   *fakeFeatures
	blocks fakeBlocks
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

func (b *fakeBlocks) block(id peer.ID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ids == nil {
		b.ids = map[peer.ID]bool{}
	}
	b.ids[id] = true
}

// newParty builds the direct messages of who, who knows colleagues by
// name. Its goroutines end with the test.
func newParty(t *testing.T, who identity, colleagues fakeColleagues) *party {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &party{identity: who, store: newFakeStore(), net: newFakeNet(who.id), pub: &fakePublisher{},
		spawn: &fakeSpawner{ctx: ctx}, feat: &fakeFeatures{}}
	t.Cleanup(func() { cancel(); p.spawn.wg.Wait() })
	p.dm = New(Config{}, Deps{Key: who.key, Store: p.store, Net: p.net, Publisher: p.pub, Spawner: p.spawn,
		Colleagues: colleagues, Messages: fakeMessages{self: who.id}, Dialer: p.feat, Transfers: p.feat, Invites: p.feat,
		Blocks: &p.blocks})
	return p
}
