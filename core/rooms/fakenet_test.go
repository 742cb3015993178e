package rooms

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"hallway/chat"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// fakeTopic is a room subscription on a fakeNet.
type fakeTopic struct {
	name     string
	validate p2p.RoomValidator
	receive  p2p.RoomReceiver

	onPublish chan<- struct{} // told of each publish, if not full
	log       *journal        // records each publish

	mu        sync.Mutex // guards published, peers and left
	published [][]byte
	peers     []peer.ID
	left      bool
}

func (t *fakeTopic) Publish(_ context.Context, data []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.published = append(t.published, data)
	if t.log != nil {
		t.log.add("gossip %s", t.name)
	}
	select {
	case t.onPublish <- struct{}{}:
	default:
	}
	return nil
}

func (t *fakeTopic) Peers() []peer.ID {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.peers)
}

func (t *fakeTopic) isLeft() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.left
}

func (t *fakeTopic) Leave() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.left = true
	return nil
}

// deliver is gossip from a peer: validated, then handed over if accepted.
func (t *fakeTopic) deliver(from peer.ID, data []byte) error {
	_, v, err := t.validate(data)
	if err != nil {
		return err
	}
	t.receive(from, v)
	return nil
}

// fakeNet is one node's network: topics it follows and the sync servers
// of the peers it is connected to.
type fakeNet struct {
	id        peer.ID
	log       *journal
	published chan struct{} // a message published on any topic

	mu          sync.Mutex              // guards the fields below
	topics      map[string]*fakeTopic   // by topic name
	byRoom      map[string][]*fakeTopic // by room, in the order joined
	proven      map[peer.ID]map[string]bool
	servers     map[peer.ID]p2p.SyncServer
	redeemers   map[peer.ID]p2p.RedeemServer
	redeemAsked []peer.ID // peers a redemption asked, in order
	asked       []peer.ID // peers a sync was started with
	requests    []int     // rooms per sync request sent
	rooms       []string  // every room a sync asked for, in order
	got         int       // envelopes received in sync answers
}

func newFakeNet(id peer.ID, log *journal) *fakeNet {
	return &fakeNet{id: id, log: log, published: make(chan struct{}, 64), topics: map[string]*fakeTopic{}, byRoom: map[string][]*fakeTopic{},
		proven: map[peer.ID]map[string]bool{}, servers: map[peer.ID]p2p.SyncServer{}, redeemers: map[peer.ID]p2p.RedeemServer{}}
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

func (n *fakeNet) Sync(ctx context.Context, to peer.ID, build func(challenge []byte) p2p.SyncRequest, each func(raw []byte) error) error {
	challenge := make([]byte, p2p.SyncChallengeBytes)
	rand.Read(challenge)
	req := build(challenge)
	n.mu.Lock()
	srv := n.servers[to]
	n.asked = append(n.asked, to)
	for _, r := range req.Rooms {
		n.rooms = append(n.rooms, r.ID)
	}
	n.mu.Unlock()
	if srv == nil {
		return errors.New("not connected")
	}
	// The wire's limits, as the peer's node applies them before serving.
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if req, err = p2p.DecodeSyncRequest(b); err != nil {
		return err
	}
	n.mu.Lock()
	n.requests = append(n.requests, len(req.Rooms))
	n.mu.Unlock()
	return srv.ServeSync(ctx, n.id, challenge, req, func(raw []byte) error {
		n.mu.Lock()
		n.got++
		n.mu.Unlock()
		return each(raw)
	})
}

// received is how many envelopes sync answers brought so far.
func (n *fakeNet) received() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.got
}

func (n *fakeNet) JoinRoom(room, name string, _ p2p.TopicKey, validate p2p.RoomValidator, receive p2p.RoomReceiver) (Topic, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if t, ok := n.topics[name]; ok && !t.isLeft() {
		return nil, fmt.Errorf("already following %s", name)
	}
	t := &fakeTopic{validate: validate, receive: receive, name: name, onPublish: n.published, log: n.log}
	n.topics[name] = t
	n.byRoom[room] = append(n.byRoom[room], t)
	return t, nil
}

// MarkProven is recorded, for the tests on membership proofs.
func (n *fakeNet) MarkProven(id peer.ID, topic string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proven[id] == nil {
		n.proven[id] = map[string]bool{}
	}
	n.proven[id][topic] = true
}

func (n *fakeNet) isProven(id peer.ID, topic string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.proven[id][topic]
}

// topic is the room's topic joined last: its newest epoch's.
func (n *fakeNet) topic(room string) *fakeTopic {
	n.mu.Lock()
	defer n.mu.Unlock()
	if ts := n.byRoom[room]; len(ts) > 0 {
		return ts[len(ts)-1]
	}
	return nil
}

// topicsOf are the topics of a room, in the order joined.
func (n *fakeNet) topicsOf(room string) []*fakeTopic {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.byRoom[room])
}

// topicNamed is the topic of this name.
func (n *fakeNet) topicNamed(name string) *fakeTopic {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.topics[name]
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

// askedRooms is every room a sync of this node asked for so far.
func (n *fakeNet) askedRooms() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.rooms)
}
