package storage

import (
	"slices"
	"sync"
)

// maxCachedPeers bounds the peers peerCache holds; past it the cache
// starts over.
const maxCachedPeers = 4096

// peerCache holds what Store.Peer and Store.Peers read while no write to
// colleagues was under way (see writes), and the row UpsertPeer wrote
// while its write is the last: a received message names its
// author by reading the author's row, and in a conversation that is the
// same row every time; the dialer reads the whole list every few seconds,
// and the trust book after every colleague's change; a profile received
// is announced with the row it wrote. A row is served only at the count of
// Store.people's writes it was read or written at, or carried to by the
// write of another colleague's row alone (wrote).
type peerCache struct {
	mu      sync.Mutex
	version uint64 // the count of Store.people's writes the rows were read at
	rows    map[string]Peer
	list    []Peer // the whole list; nil: not read at version
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

// getList returns copies of the whole list if it was read at version.
func (c *peerCache) getList(version uint64) ([]Peer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.list == nil || c.version != version {
		return nil, false
	}
	return clonePeers(c.list), true
}

// put keeps p, read at version with no write under way from before the
// read to after it.
func (c *peerCache) put(p Peer, version uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at(version) {
		return
	}
	c.keep(p)
}

// wrote keeps p as the write at version left it, that write being the
// last to colleagues and p's alone. When the cache holds the rows as they
// were just before it (version is the next count), every other row
// still holds and is kept: in an office arriving, a colleague's profile
// is written every moment, and emptying the cache at each write had every
// read of another colleague's row go to the file. The list is dropped,
// as p's place in it may change.
func (c *peerCache) wrote(p Peer, version uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version+1 == version {
		c.version, c.list = version, nil
	} else if !c.at(version) {
		return
	}
	c.keep(p)
}

// putList keeps the whole list, read at version (as put's p is).
func (c *peerCache) putList(list []Peer, version uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at(version) {
		c.list = clonePeers(list)
	}
}

// at moves the cache to version, emptying it when version is newer, and
// reports false when version is older: read before a write that the cache
// has already seen end. c.mu is held.
func (c *peerCache) at(version uint64) bool {
	switch {
	case version < c.version:
		return false
	case version > c.version:
		c.version, c.rows, c.list = version, nil, nil
	}
	return true
}

// keep caches a copy of p, starting the rows afresh when they are full.
// c.mu is held.
func (c *peerCache) keep(p Peer) {
	if c.rows == nil || len(c.rows) >= maxCachedPeers {
		c.rows = map[string]Peer{}
	}
	c.rows[p.ID] = p.clone()
}

// clone copies p's slices, so that no caller shares them with the cache.
func (p Peer) clone() Peer {
	p.PubKey = slices.Clone(p.PubKey)
	p.Addrs = slices.Clone(p.Addrs)
	return p
}

func clonePeers(rows []Peer) []Peer {
	out := make([]Peer, len(rows))
	for i, p := range rows {
		out[i] = p.clone()
	}
	return out
}
