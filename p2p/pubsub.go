package p2p

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Gossip sizing for an office LAN. The library's queues hold 32 messages,
// and a burst of a few thousand messages lost several percent of them;
// rooms are chatty in bursts (a paste, a bot), so every queue gets room for
// a burst.
const (
	gossipQueue      = 4096
	maxGossipMessage = 128 << 10 // above the envelope cap, far below the library's 1 MiB
	// roomTopicPrefix starts every room topic; the rest is a name only
	// holders of the epoch's key can derive (crypto.RoomKey.EpochTopic).
	// Version 3: gossip carries no pubsub signature (StrictNoSign); the
	// envelope's own signature proves who wrote it.
	roomTopicPrefix = "/hallway/room/3/"
	// maxProvenPerPeer bounds the room topics one peer is recorded as a
	// member of.
	maxProvenPerPeer = 1024
)

// RoomValidator checks a gossiped room message before it is accepted or
// forwarded. Gossip carries no author of its own: the validator
// authenticates data (a signed envelope or receipt) and returns the author
// its signature proves, with the decoded value handed to the receiver, or
// an error to reject (and not forward) the message. An error wrapping
// ErrIgnore drops the message without holding it against the peer that
// forwarded it (an author the user blocked); any other error counts as an
// invalid message in that peer's gossip score.
type RoomValidator func(data []byte) (author peer.ID, decoded any, err error)

// ErrIgnore marks a room message that is dropped through no fault of the
// peer that forwarded it.
var ErrIgnore = errors.New("ignored")

// ErrOverQuota: a post of ours beyond the room quota was not gossiped;
// members fetch it through catch-up sync.
var ErrOverQuota = errors.New("beyond the room quota: left to catch-up sync")

// gossipCounters count the room messages of others validation took and
// those it dropped.
type gossipCounters struct {
	accepted, rejected, ignored, overQuota atomic.Int64
}

// RoomReceiver gets accepted room messages; from is the peer that
// forwarded it to us (not necessarily the author).
type RoomReceiver func(from peer.ID, decoded any)

// contentID names a gossip message by what it carries. The library's
// default, author and gossip sequence number, lets an author send two
// different envelopes under one number: a member that saw one would take
// the other for it, drop it as seen, and never notice the fork.
func contentID(m *pb.Message) string {
	h := sha256.New()
	h.Write([]byte(m.GetTopic()))
	h.Write([]byte{0})
	h.Write(m.GetData())
	return string(h.Sum(nil))
}

func (n *Node) startPubsub() error {
	policy := pubsub.StrictNoSign
	if n.signed {
		policy = pubsub.StrictSign
	}
	ps, err := pubsub.NewGossipSub(n.ctx, n.host,
		pubsub.WithPeerScore(peerScoreParams(func(id peer.ID) bool { return n.admission(id) != Admitted }, &n.struck), peerScoreThresholds()),
		pubsub.WithPeerScoreInspect(pubsub.PeerScoreInspectFn(n.scores.update), scoreInspectPeriod),
		// A room topic's messages reach only peers that proved they
		// hold its key (prove.go): the filter keeps the others out of
		// the mesh, gossip and IWANT answers. Flood publishing would
		// send our own posts to every subscriber past the filter, so
		// posts go through the mesh like forwarded messages.
		pubsub.WithPeerFilter(n.proven.allows),
		pubsub.WithFloodPublish(n.flood),
		pubsub.WithRawTracer(meshTracer{n: n}),
		// One signature per message: the envelope's, checked by the
		// room validator. A pubsub signature would prove the same
		// author a second time at the cost of a second verification on
		// every member; gossip with one, or with an author or sequence
		// number, is refused before validation.
		pubsub.WithMessageSignaturePolicy(policy),
		pubsub.WithPeerOutboundQueueSize(gossipQueue),
		pubsub.WithValidateQueueSize(gossipQueue),
		pubsub.WithMaxMessageSize(maxGossipMessage),
		pubsub.WithPeerExchange(false),
		pubsub.WithMessageIdFn(contentID),
	)
	if err != nil {
		return fmt.Errorf("p2p: start gossip: %w", err)
	}
	n.ps = ps
	return nil
}

// RoomTopic is our subscription to one room's gossip topic.
type RoomTopic struct {
	n      *Node
	room   string
	name   string
	topic  *pubsub.Topic
	sub    *pubsub.Subscription
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	tail   tail     // our newest post the quota kept from gossip
	key    TopicKey // nil: the room's key is public
	events *pubsub.TopicEventHandler
	// watched ends when the subscription watcher returns.
	watched chan struct{}
	// meshGaveUp is when a post last waited for the mesh in vain.
	meshGaveUp atomic.Value
}

// JoinRoom subscribes to the topic of one epoch of a room: topic is its
// derived name, key proves and checks holding the epoch's key (prove.go);
// nil marks a room whose key is public (the open LAN workspace's
// #general), which needs no proof. Every message is validated by validate
// before it is delivered to receive or forwarded to others.
func (n *Node) JoinRoom(room, topic string, key TopicKey, validate RoomValidator, receive RoomReceiver) (*RoomTopic, error) {
	if topic == "" || len(topic) > maxProveTopic {
		return nil, errors.New("p2p: bad room topic name")
	}
	name := roomTopicPrefix + topic
	if key == nil {
		n.proven.setOpen(name)
	}
	err := n.ps.RegisterTopicValidator(name, func(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		res := n.validateRoom(room, from, m, validate)
		switch res {
		case pubsub.ValidationReject:
			n.gossip.rejected.Add(1)
		case pubsub.ValidationIgnore:
			n.gossip.ignored.Add(1)
		}
		return res
	})
	if err != nil {
		return nil, fmt.Errorf("p2p: room validator: %w", err)
	}
	t, err := n.ps.Join(name)
	if err != nil {
		n.ps.UnregisterTopicValidator(name)
		return nil, fmt.Errorf("p2p: join room topic: %w", err)
	}
	ctx, cancel := context.WithCancel(n.ctx)
	rt := &RoomTopic{room: room, n: n, name: name, topic: t, ctx: ctx, cancel: cancel, key: key,
		done: make(chan struct{}), watched: make(chan struct{})}
	rt.meshGaveUp.Store(time.Time{})
	fail := func(err error) (*RoomTopic, error) {
		cancel()
		n.followed.remove(rt)
		if rt.events != nil {
			rt.events.Cancel()
		}
		if rt.sub != nil {
			rt.sub.Cancel()
		}
		t.Close()
		n.ps.UnregisterTopicValidator(name)
		return nil, err
	}
	// Known before we announce the subscription: a peer that sees it asks
	// for our proof at once.
	n.followed.add(rt)
	if rt.events, err = t.EventHandler(); err != nil {
		return fail(fmt.Errorf("p2p: watch room topic: %w", err))
	}
	if rt.sub, err = t.Subscribe(pubsub.WithBufferSize(gossipQueue)); err != nil {
		return fail(fmt.Errorf("p2p: subscribe room topic: %w", err))
	}
	if err := t.SetScoreParams(roomTopicScore()); err != nil {
		return fail(fmt.Errorf("p2p: room topic score: %w", err))
	}
	go rt.read(ctx, receive)
	go rt.watch(ctx)
	return rt, nil
}

// watch asks every peer that subscribes to the topic, and has not proved
// it yet, for its proof.
func (rt *RoomTopic) watch(ctx context.Context) {
	defer close(rt.watched)
	for {
		e, err := rt.events.NextPeerEvent(ctx)
		if err != nil {
			return
		}
		if e.Type == pubsub.PeerJoin && rt.key != nil && !rt.n.proven.allows(e.Peer, rt.name) {
			rt.n.askProof(e.Peer, rt)
		}
	}
}

func (rt *RoomTopic) read(ctx context.Context, receive RoomReceiver) {
	defer close(rt.done)
	self := rt.n.host.ID()
	for {
		m, err := rt.sub.Next(ctx)
		if err != nil {
			return
		}
		if m.ReceivedFrom == self || m.ValidatorData == nil {
			continue // our own publication: already stored before it was sent
		}
		receive(m.ReceivedFrom, m.ValidatorData)
	}
}

// Peers lists the connected peers subscribed to the room's topic that
// proved they are members.
func (rt *RoomTopic) Peers() []peer.ID {
	var out []peer.ID
	for _, p := range rt.topic.ListPeers() {
		if rt.n.proven.allows(p, rt.name) {
			out = append(out, p)
		}
	}
	return out
}

// Name is the topic's name, for MarkProven.
func (rt *RoomTopic) Name() string { return rt.name }

// Leave unsubscribes and forgets the topic.
func (rt *RoomTopic) Leave() error {
	var err error
	rt.once.Do(func() {
		rt.dropTail()
		rt.n.followed.remove(rt)
		rt.events.Cancel()
		rt.sub.Cancel()
		rt.cancel()
		<-rt.done
		<-rt.watched
		err = errors.Join(rt.topic.Close(), rt.n.ps.UnregisterTopicValidator(rt.name))
	})
	return err
}

// validateRoom judges one gossiped message of room, forwarded to us by
// from. Our own publications pass through here too and are not charged.
//
// Over-quota posts are ignored, not rejected: gossipsub would blame every
// member that forwarded a rejected post, and a forwarder may have met the
// burst at another pace and rightly passed some on. When the author sent
// them to us itself, each is a strike against its score (strikes.go).
func (n *Node) validateRoom(room string, from peer.ID, m *pubsub.Message, validate RoomValidator) pubsub.ValidationResult {
	if len(m.Data) > maxGossipMessage {
		return pubsub.ValidationReject
	}
	self := n.host.ID()
	if from != self && n.entrant(from) {
		return pubsub.ValidationIgnore
	}
	if from != self && len(m.Data) > n.quota.q.MaxPost {
		return pubsub.ValidationReject
	}
	author, v, err := validate(m.Data)
	switch {
	case errors.Is(err, ErrIgnore):
		return pubsub.ValidationIgnore
	case err != nil:
		n.log.Debug("rejected room message", "room", room, "from", from, "err", err)
		return pubsub.ValidationReject
	}
	if author == self || from == self {
		m.ValidatorData = v
		return pubsub.ValidationAccept
	}
	if n.refused(author) {
		return pubsub.ValidationIgnore
	}
	if n.quota.charge(room, author, len(m.Data)) != quotaOK {
		n.gossip.overQuota.Add(1)
		n.log.Debug("room message beyond its author's quota", "room", room, "author", author, "from", from)
		if from == author {
			n.struck.add(author)
		}
		return pubsub.ValidationIgnore
	}
	n.gossip.accepted.Add(1)
	m.ValidatorData = v
	return pubsub.ValidationAccept
}
