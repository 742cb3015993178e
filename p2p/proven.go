package p2p

import (
	"strings"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"
)

// provenTopics records which peers proved they hold the key of a room
// topic's epoch, in a sync request we answered (core checks the proof and
// calls MarkProven). Gossipsub asks it before it grafts a peer into a
// room topic's mesh, sends it gossip about the topic or answers its
// requests for the topic's messages: a peer that only announces a
// subscription to a topic name it overheard gets none of its traffic.
// Proof happens after the connection, so a member is grafted at the next
// heartbeat after its first sync; catch-up sync covers the moments before.
type provenTopics struct {
	mu   sync.RWMutex
	by   map[peer.ID]map[string]bool
	open map[string]bool // topics of rooms whose key is public
}

func (p *provenTopics) setOpen(topic string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open == nil {
		p.open = map[string]bool{}
	}
	p.open[topic] = true
}

// allows is gossipsub's peer filter: topics other than rooms' are open.
func (p *provenTopics) allows(id peer.ID, topic string) bool {
	if !strings.HasPrefix(topic, roomTopicPrefix) {
		return true
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.open[topic] || p.by[id][topic]
}

func (p *provenTopics) mark(id peer.ID, topic string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.by == nil {
		p.by = map[peer.ID]map[string]bool{}
	}
	m := p.by[id]
	if m == nil {
		m = map[string]bool{}
		p.by[id] = m
	}
	if len(m) < maxProvenPerPeer {
		m[topic] = true
	}
}

// MarkProven records that id proved it holds the key behind a room topic
// (its derived name, as passed to JoinRoom).
func (n *Node) MarkProven(id peer.ID, topic string) {
	n.proven.mark(id, roomTopicPrefix+topic)
}
