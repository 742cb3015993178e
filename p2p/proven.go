package p2p

import (
	"strings"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"
)

// provenTopics records which peers proved they hold the key of a room
// topic's epoch, in a sync request we answered (core checks the proof and
// calls MarkProven). A room topic's Peers are those that proved it: the
// members periodic sync asks. (Topics are named from the epoch's key, so
// only key holders can name one; gossipsub itself does not consult this.)
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

// allows reports whether id proved the key of topic; topics other than
// rooms' are open.
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
