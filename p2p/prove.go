package p2p

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// ProtoProve lets a peer into a room topic's gossip. When a peer
// subscribes to a topic we follow, we (the verifier) send it the topic's
// name and a fresh challenge; it answers with a proof that it holds the
// key behind the topic, bound to both peers and the challenge. Until it
// has proved it, gossipsub neither sends it the topic's messages nor
// takes it into the topic's mesh (the peer filter, pubsub.go), so a peer
// that copied a topic name it overheard receives nothing.
//
// Request: version (1) = 1 || challenge (32) || topic (the name after
// roomTopicPrefix, 1 to 128 bytes). Reply: proof (32).
const ProtoProve = "/hallway/prove/1.0.0"

// Proof exchange limits.
const (
	proveVersion        = 1
	ProveChallengeBytes = 32
	proveProofBytes     = 32
	maxProveTopic       = 128
	maxProveRequest     = 1 + ProveChallengeBytes + maxProveTopic
	proveTimeout        = 10 * time.Second
	// proveAttempts bounds how often a proof is asked for when the
	// stream could not be opened (a connection still settling).
	proveAttempts = 3
	// maxProvePending bounds the topics waiting to be proved by one peer.
	maxProvePending = 4096
)

// provePace: proof requests, each one HMAC. A colleague asks once per
// topic we share when it connects or subscribes.
var provePace = PaceConfig{PerSecond: 50, Burst: 512}

// TopicKey makes and checks proofs that a peer holds the key behind one
// room topic; core implements it for each epoch it follows. A nil
// TopicKey marks a room whose key is public (the open LAN #general).
type TopicKey interface {
	Prove(prover, verifier peer.ID, challenge []byte) [32]byte
	Check(prover, verifier peer.ID, challenge, proof []byte) bool
}

// ProveRequest asks a peer to prove it holds the key of Topic.
type ProveRequest struct {
	Challenge [ProveChallengeBytes]byte
	Topic     string // without roomTopicPrefix
}

// Marshal encodes r.
func (r ProveRequest) Marshal() []byte {
	out := append([]byte{proveVersion}, r.Challenge[:]...)
	return append(out, r.Topic...)
}

// DecodeProveRequest parses and bounds a request.
func DecodeProveRequest(b []byte) (ProveRequest, error) {
	var r ProveRequest
	if len(b) < 1+ProveChallengeBytes+1 || len(b) > maxProveRequest || b[0] != proveVersion {
		return r, fmt.Errorf("%w: prove request of %d bytes", ErrBadFrame, len(b))
	}
	copy(r.Challenge[:], b[1:])
	r.Topic = string(b[1+ProveChallengeBytes:])
	return r, nil
}

// followedTopics are the room topics we follow, by full name, so a
// proof request finds its key.
type followedTopics struct {
	mu sync.RWMutex
	by map[string]*RoomTopic
}

func (f *followedTopics) add(rt *RoomTopic) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.by == nil {
		f.by = map[string]*RoomTopic{}
	}
	f.by[rt.name] = rt
}

func (f *followedTopics) remove(rt *RoomTopic) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.by[rt.name] == rt {
		delete(f.by, rt.name)
	}
}

func (f *followedTopics) get(name string) *RoomTopic {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.by[name]
}

// serveProve answers a proof request for a topic we follow; anything
// else (an unknown or open topic, a bad frame) resets the stream.
func (n *Node) serveProve(st network.Stream) {
	from := st.Conn().RemotePeer()
	var err error
	defer func() { closeStream(st, err) }()
	st.SetDeadline(time.Now().Add(proveTimeout))
	var b []byte
	if b, err = readFrame(bufio.NewReader(st), maxProveRequest); err != nil {
		return
	}
	var req ProveRequest
	if req, err = DecodeProveRequest(b); err != nil {
		n.log.Debug("bad prove request", "peer", from, "err", err)
		return
	}
	rt := n.followed.get(roomTopicPrefix + req.Topic)
	if rt == nil || rt.key == nil {
		err = errors.New("p2p: prove request for a topic we do not prove")
		return
	}
	if err = n.waitPace(n.provePace, from, proveTimeout); err != nil {
		return
	}
	proof := rt.key.Prove(n.host.ID(), from, req.Challenge[:])
	err = writeFrame(st, proof[:])
}

// provers asks peers, one topic at a time each, to prove the topics they
// subscribed to; a worker runs per peer while its queue is not empty.
type provers struct {
	mu    sync.Mutex // guards queue
	queue map[peer.ID][]*RoomTopic
}

// ask queues a proof request to p for rt.
func (n *Node) askProof(p peer.ID, rt *RoomTopic) {
	v := &n.provers
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.queue == nil {
		v.queue = map[peer.ID][]*RoomTopic{}
	}
	q, running := v.queue[p]
	for _, t := range q {
		if t == rt {
			return
		}
	}
	if len(q) >= maxProvePending {
		return
	}
	v.queue[p] = append(q, rt)
	if running {
		return
	}
	n.goTracked(func() { n.proveLoop(p) })
}

func (n *Node) proveLoop(p peer.ID) {
	v := &n.provers
	for {
		v.mu.Lock()
		q := v.queue[p]
		if len(q) == 0 || n.ctx.Err() != nil {
			delete(v.queue, p)
			v.mu.Unlock()
			return
		}
		rt := q[0]
		v.queue[p] = q[1:]
		v.mu.Unlock()
		if rt.ctx.Err() != nil || n.proven.allows(p, rt.name) {
			continue
		}
		if err := n.verify(rt, p); err != nil {
			n.log.Debug("room topic proof", "peer", p, "err", err)
		}
	}
}

// verify asks p to prove it holds rt's key and, if it does, lets rt's
// gossip reach it.
func (n *Node) verify(rt *RoomTopic, p peer.ID) error {
	req := ProveRequest{Topic: rt.name[len(roomTopicPrefix):]}
	rand.Read(req.Challenge[:])
	var s network.Stream
	var err error
	for range proveAttempts {
		ctx, cancel := context.WithTimeout(rt.ctx, proveTimeout)
		s, err = n.host.NewStream(network.WithNoDial(ctx, "a proof from a peer in the topic"), p, ProtoProve)
		cancel()
		if err == nil || rt.ctx.Err() != nil {
			break
		}
		select {
		case <-time.After(time.Second):
		case <-rt.ctx.Done():
		}
	}
	if err != nil {
		return fmt.Errorf("p2p: open prove stream: %w", err)
	}
	defer func() { closeStream(s, err) }()
	s.SetDeadline(time.Now().Add(proveTimeout))
	if err = writeFrame(s, req.Marshal()); err != nil {
		return err
	}
	if err = s.CloseWrite(); err != nil {
		return err
	}
	var proof []byte
	if proof, err = readFrame(bufio.NewReader(s), proveProofBytes); err != nil {
		return fmt.Errorf("p2p: no proof of the topic: %w", err)
	}
	if len(proof) != proveProofBytes || !rt.key.Check(p, n.host.ID(), req.Challenge[:], proof) {
		err = errors.New("p2p: a proof of the topic that does not check")
		return err
	}
	n.proven.mark(p, rt.name)
	return nil
}
