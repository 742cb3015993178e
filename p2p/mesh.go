package p2p

import (
	"context"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// meshes follows which peers are in our gossip mesh of each room topic.
// A peer enters a topic's mesh only after it proved the key (prove.go),
// and gossipsub sends our posts to mesh peers alone: what was posted
// before it entered never reaches it by gossip. The mesh hook lets core
// catch up with the peer at that moment instead.
type meshes struct {
	mu      sync.Mutex // guards in, hook and changed
	in      map[string]map[peer.ID]bool
	hook    func(p peer.ID, room string)
	changed signal // fired at every graft
}

// count tells how many of peers are in our mesh of the topic named name,
// and gives a channel closed at the next graft.
func (m *meshes) count(name string, peers []peer.ID) (int, <-chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in := 0
	for _, p := range peers {
		if m.in[name][p] {
			in++
		}
	}
	return in, m.changed.next()
}

// SetMeshHook has hook called, on its own goroutine, each time a peer
// enters our gossip mesh of a room topic that needs a proof: room is the
// room the topic belongs to.
func (n *Node) SetMeshHook(hook func(p peer.ID, room string)) {
	n.mesh.mu.Lock()
	defer n.mesh.mu.Unlock()
	n.mesh.hook = hook
}

// InMesh reports whether p is in our gossip mesh of a room topic (its
// derived name, as passed to JoinRoom).
func (n *Node) InMesh(p peer.ID, topic string) bool {
	n.mesh.mu.Lock()
	defer n.mesh.mu.Unlock()
	return n.mesh.in[roomTopicPrefix+topic][p]
}

// WaitMesh returns once p is in our gossip mesh of a room topic, or
// ctx's error.
func (n *Node) WaitMesh(ctx context.Context, p peer.ID, topic string) error {
	for {
		in, ch := n.mesh.count(roomTopicPrefix+topic, []peer.ID{p})
		if in == 1 {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// A post goes to our mesh peers alone. meshEnough is how many members
// make a mesh worth posting to at once (the library's lower bound); a
// post waits at most meshWait (two of the library's heartbeats, at each of
// which the mesh takes in members that proved the key) for the members
// online to be in it, so that a post right after a colleague connects or
// a room is re-keyed reaches them by gossip rather than by catch-up sync.
const (
	meshEnough = 5
	meshWait   = 2 * time.Second
	// meshPatience: how long posts go without waiting after a wait for
	// the mesh ran out (a member the mesh keeps out for a while).
	meshPatience = 30 * time.Second
)

// awaitMesh waits, at most meshWait, until our mesh of rt's topic holds
// as many of the members subscribed to it as it can. Members the mesh
// does not take (a negative gossip score) are not waited for; after a
// wait that ran out, posts go at once for meshPatience.
func (rt *RoomTopic) awaitMesh(ctx context.Context) {
	if time.Since(rt.meshGaveUp.Load().(time.Time)) < meshPatience {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, meshWait)
	defer cancel()
	for {
		var members []peer.ID
		for _, p := range rt.Peers() {
			if rt.n.GossipScore(p) >= 0 {
				members = append(members, p)
			}
		}
		in, ch := rt.n.mesh.count(rt.name, members)
		if in >= min(len(members), meshEnough) {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			rt.meshGaveUp.Store(time.Now())
			return
		}
	}
}

// meshTracer is the gossip router's view of our meshes; everything but
// grafts and prunes is ignored.
type meshTracer struct {
	NopTracer
	n *Node
}

var _ pubsub.RawTracer = meshTracer{}

func (t meshTracer) Graft(p peer.ID, topic string) {
	rt := t.n.followed.get(topic)
	if rt == nil {
		return
	}
	m := &t.n.mesh
	m.mu.Lock()
	if m.in == nil {
		m.in = map[string]map[peer.ID]bool{}
	}
	if m.in[topic] == nil {
		m.in[topic] = map[peer.ID]bool{}
	}
	m.in[topic][p] = true
	m.changed.fire()
	hook := m.hook
	m.mu.Unlock()
	if hook != nil && rt.key != nil && t.n.ctx.Err() == nil {
		// The router waits for its tracers: never block it.
		t.n.goTracked(func() { hook(p, rt.room) })
	}
}

func (t meshTracer) Prune(p peer.ID, topic string) {
	m := &t.n.mesh
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.in[topic], p)
}

// OnClosedOutboundStream: the peer is gone, and out of every mesh.
func (t meshTracer) OnClosedOutboundStream(p peer.ID) {
	m := &t.n.mesh
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, in := range m.in {
		delete(in, p)
	}
}

func (t meshTracer) Leave(topic string) {
	m := &t.n.mesh
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.in, topic)
}
