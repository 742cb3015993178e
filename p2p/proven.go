package p2p

import (
	"context"
	"strings"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"
)

// provenTopics records which peers proved they hold the key of a room
// topic's epoch: in answer to our proof request (prove.go), or in a sync
// request we answered (core checks the proof and calls MarkProven).
// Gossipsub consults it as its peer filter, so a room topic's messages
// reach only those peers; a room topic's Peers are they too, the members
// periodic sync asks.
type provenTopics struct {
	mu     sync.RWMutex
	by     map[peer.ID]map[string]bool
	open   map[string]bool // topics of rooms whose key is public
	marked signal          // fired whenever a proof is recorded
}

// signal is a broadcast to waiters, guarded by its owner's mutex: next
// gives a channel that the next fire closes.
type signal struct{ ch chan struct{} }

func (s *signal) next() <-chan struct{} {
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) fire() {
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// changed returns a channel closed at the next recorded proof.
func (p *provenTopics) changed() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.marked.next()
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
	if len(m) < maxProvenPerPeer && !m[topic] {
		m[topic] = true
		p.marked.fire()
	}
}

// MarkProven records that id proved it holds the key behind a room topic
// (its derived name, as passed to JoinRoom).
func (n *Node) MarkProven(id peer.ID, topic string) {
	n.proven.mark(id, roomTopicPrefix+topic)
}

// WaitProven returns once id has proved the room topic (its derived name,
// as passed to JoinRoom), or ctx's error.
func (n *Node) WaitProven(ctx context.Context, id peer.ID, topic string) error {
	name := roomTopicPrefix + topic
	for {
		ch := n.proven.changed()
		if n.proven.allows(id, name) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
