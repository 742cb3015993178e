package adversary

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	hcrypto "hallway/crypto"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"
)

// RoomTopic is the gossip topic of one epoch of a Hallway room: a name
// derived from the epoch's key, which only its holders can make.
func RoomTopic(room string, key hcrypto.RoomKey, epoch uint64) string {
	return "/hallway/room/3/" + key.EpochTopic(room, epoch)
}

// topics holds the rooms the peer follows and what it captured there.
type topics struct {
	mu       sync.Mutex // guards joined and captured
	joined   map[string]*pubsub.Topic
	captured map[string][]*pb.Message    // by room id, in arrival order
	receipts map[string][]*pb.Message    // the room receipts gossiped, apart
	keys     map[string]topicKey         // by topic name: what proves we hold it
	provedTo map[string]map[peer.ID]bool // by topic name: who we proved it to
	arrived  chan struct{}
}

func newTopics() *topics {
	return &topics{joined: map[string]*pubsub.Topic{}, captured: map[string][]*pb.Message{}, receipts: map[string][]*pb.Message{},
		keys: map[string]topicKey{}, provedTo: map[string]map[peer.ID]bool{}, arrived: make(chan struct{}, 1)}
}

// Join subscribes to the topic of a room's first epoch (its key) and
// records every message gossiped there, exactly as it arrived (author,
// sequence number and signature), under room.
func (p *Peer) Join(room string, key hcrypto.RoomKey) error {
	return p.JoinEpoch(room, room, key, 0)
}

// JoinEpoch subscribes to the topic of one epoch of a room and records
// what arrives there under label. A member left out of a re-key keeps
// following its last epoch's topic this way.
func (p *Peer) JoinEpoch(label, room string, key hcrypto.RoomKey, epoch uint64) error {
	name := RoomTopic(room, key, epoch)
	p.topics.mu.Lock()
	p.topics.keys[name] = topicKey{room, epoch, key}
	p.topics.mu.Unlock()
	return p.JoinName(label, name)
}

// JoinName subscribes to a room topic by its name alone, as a peer that
// overheard it in a subscription announcement would, and records what
// arrives there under label. Without the key behind the name it cannot
// answer a member's proof request.
func (p *Peer) JoinName(label, name string) error {
	p.topics.mu.Lock()
	defer p.topics.mu.Unlock()
	if p.topics.joined[label] != nil {
		return nil
	}
	t, err := p.PS.Join(name)
	if err != nil {
		return fmt.Errorf("adversary: join %s: %w", label, err)
	}
	sub, err := t.Subscribe(pubsub.WithBufferSize(4096))
	if err != nil {
		return fmt.Errorf("adversary: subscribe %s: %w", label, err)
	}
	p.topics.joined[label] = t
	go func() {
		for {
			m, err := sub.Next(p.ctx)
			if err != nil {
				return
			}
			if m.ReceivedFrom == p.ID() {
				continue
			}
			p.topics.mu.Lock()
			if hcrypto.IsReceipt(m.Data) {
				p.topics.receipts[label] = append(p.topics.receipts[label], m.Message)
			} else {
				p.topics.captured[label] = append(p.topics.captured[label], m.Message)
			}
			p.topics.mu.Unlock()
			select {
			case p.topics.arrived <- struct{}{}:
			default:
			}
		}
	}()
	return nil
}

// topicOf is the topic name of what was joined under label ("" if
// nothing was).
func (p *Peer) topicOf(label string) string {
	p.topics.mu.Lock()
	defer p.topics.mu.Unlock()
	if t := p.topics.joined[label]; t != nil {
		return t.String()
	}
	return ""
}

// CapturedReceipts returns the room receipts gossiped in room so far.
func (p *Peer) CapturedReceipts(room string) []*pb.Message {
	p.topics.mu.Lock()
	defer p.topics.mu.Unlock()
	return append([]*pb.Message(nil), p.topics.receipts[room]...)
}

// Captured returns the messages (envelopes) gossiped in room so far;
// receipts are kept apart (CapturedReceipts).
func (p *Peer) Captured(room string) []*pb.Message {
	p.topics.mu.Lock()
	defer p.topics.mu.Unlock()
	return append([]*pb.Message(nil), p.topics.captured[room]...)
}

// WaitCaptured waits until at least n messages of room were captured.
func (p *Peer) WaitCaptured(ctx context.Context, room string, n int) ([]*pb.Message, error) {
	for {
		if got := p.Captured(room); len(got) >= n {
			return got, nil
		}
		select {
		case <-p.topics.arrived:
		case <-ctx.Done():
			return nil, fmt.Errorf("adversary: captured %d of %d messages in %s: %w", len(p.Captured(room)), n, room, ctx.Err())
		}
	}
}

// TopicPeers lists the peers we see subscribed to a room's topic.
func (p *Peer) TopicPeers(room string) []peer.ID {
	p.topics.mu.Lock()
	t := p.topics.joined[room]
	p.topics.mu.Unlock()
	if t == nil {
		return nil
	}
	return t.ListPeers()
}

// WaitTopicPeers waits until every id is subscribed to room as we see it
// and, unless the room's key is public, has had our proof of its key, so
// that what they post reaches us and what we publish reaches them. A
// member posting before our proof reached it would send us nothing, and
// we have no catch-up sync to make up for it.
func (p *Peer) WaitTopicPeers(ctx context.Context, room string, ids ...peer.ID) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		have := map[peer.ID]bool{}
		for _, id := range p.TopicPeers(room) {
			have[id] = true
		}
		missing, unproved := 0, 0
		for _, id := range ids {
			if !have[id] {
				missing++
			} else if !p.provedTo(room, id) {
				unproved++
			}
		}
		if missing+unproved == 0 {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("adversary: %d peers not subscribed to %s, %d not shown our proof of its key: %w", missing, room, unproved, ctx.Err())
		}
	}
}

// openGeneral is the id of the open LAN workspace's #general, whose key
// is public: members ask no proof of it.
var openGeneral, _ = hcrypto.GeneralRoom(nil)

// provedTo reports whether id had our proof of the key of the topic
// joined under label, or needs none (an open workspace's #general).
func (p *Peer) provedTo(label string, id peer.ID) bool {
	p.topics.mu.Lock()
	defer p.topics.mu.Unlock()
	t := p.topics.joined[label]
	if t == nil {
		return false
	}
	k, keyed := p.topics.keys[t.String()]
	if !keyed {
		return true // joined by name alone: there is nothing to prove
	}
	if k.room == openGeneral {
		return true
	}
	return p.topics.provedTo[t.String()][id]
}

// Publish gossips data in room under the adversary's own identity, as
// its own message (pubsub author = the adversary).
func (p *Peer) Publish(ctx context.Context, room string, data []byte) error {
	p.topics.mu.Lock()
	t := p.topics.joined[room]
	p.topics.mu.Unlock()
	if t == nil {
		return fmt.Errorf("adversary: publish in %s: not joined", room)
	}
	return t.Publish(ctx, data)
}

// RawPublish writes pubsub messages straight onto a gossip stream to a
// victim, as they are: replays keep their original author, sequence
// number and signature; forgeries carry whatever the test put in them.
// Nothing in the adversary's own pubsub checks or signs them.
func (p *Peer) RawPublish(ctx context.Context, to peer.ID, msgs []*pb.Message) error {
	// The victim keeps one inbound gossip stream per peer and resets
	// whichever loses the race with the adversary's own pubsub stream, so
	// a reset write is tried again on a fresh stream (the victim drops
	// repeats by message id).
	var err error
	for range 3 {
		if err = p.rawPublish(ctx, to, msgs); err == nil || !errors.Is(err, network.ErrReset) {
			return err
		}
	}
	return err
}

func (p *Peer) rawPublish(ctx context.Context, to peer.ID, msgs []*pb.Message) error {
	s, err := p.Host.NewStream(ctx, to, pubsub.GossipSubID_v11)
	if err != nil {
		return fmt.Errorf("adversary: gossip stream: %w", err)
	}
	defer s.Close()
	s.SetDeadline(time.Now().Add(10 * time.Second))
	topics := map[string]bool{}
	var subs []*pb.RPC_SubOpts
	for _, m := range msgs {
		if t := m.GetTopic(); !topics[t] {
			topics[t] = true
			subscribe := true
			subs = append(subs, &pb.RPC_SubOpts{Subscribe: &subscribe, Topicid: &t})
		}
	}
	b, err := proto.Marshal(&pb.RPC{Subscriptions: subs, Publish: msgs})
	if err != nil {
		return fmt.Errorf("adversary: encode rpc: %w", err)
	}
	if _, err := s.Write(Frame(b)); err != nil {
		return fmt.Errorf("adversary: raw publish: %w", err)
	}
	return nil
}
