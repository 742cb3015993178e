package storage

import (
	"slices"
	"sync"
)

// maxCachedPeers bounds the peers peerCache holds; past it the cache
// starts over.
const maxCachedPeers = 4096

// peerCache holds the colleagues Store.Peer read since the last write to
// them: a received message names its author by reading the author's row,
// and in a conversation that is the same row every time. Every write to
// colleagues moves Store.people, which empties the cache.
type peerCache struct {
	mu      sync.Mutex
	version uint64 // the value of Store.people the rows were read at
	rows    map[string]Peer
}

// get returns id's row if it was read at version.
func (c *peerCache) get(id string, version uint64) (Peer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return Peer{}, false
	}
	p, ok := c.rows[id]
	return p.clone(), ok
}

// put keeps p, read at version, which the caller took before it read p:
// a row read before a write is then never kept under the version after it.
func (c *peerCache) put(p Peer, version uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return // read before a write the cache has already seen
	case version > c.version || c.rows == nil || len(c.rows) >= maxCachedPeers:
		c.version, c.rows = version, map[string]Peer{}
	}
	c.rows[p.ID] = p.clone()
}

// clone copies p's slices, so that no caller shares them with the cache.
func (p Peer) clone() Peer {
	p.PubKey = slices.Clone(p.PubKey)
	p.Addrs = slices.Clone(p.Addrs)
	return p
}

// peerListCache holds the whole list Store.Peers read, while Store.people
// stays the same: the dialer reads it every few seconds, and the trust
// book after every colleague's change, and in an office that is the same
// list hundreds of times.
type peerListCache struct {
	mu      sync.Mutex
	version uint64
	rows    []Peer // nil: none held
}

// get returns copies of the rows read at version.
func (c *peerListCache) get(version uint64) ([]Peer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows == nil || c.version != version {
		return nil, false
	}
	return clonePeers(c.rows), true
}

// put keeps rows read at version, which the caller took before the read.
func (c *peerListCache) put(rows []Peer, version uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows != nil && version < c.version {
		return // read before a write the cache has already seen
	}
	c.version, c.rows = version, clonePeers(rows)
}

func clonePeers(rows []Peer) []Peer {
	out := make([]Peer, len(rows))
	for i, p := range rows {
		out[i] = p.clone()
	}
	return out
}
