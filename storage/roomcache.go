package storage

import "sync"

// maxCachedRooms bounds the rooms a roomCache holds; past it the cache
// starts over.
const maxCachedRooms = 256

// roomCache holds what was read of each room since a counter of writes
// last moved (Store.roomLog for the heads, Store.forks for the rooms
// without forks): a reader takes the counter before it reads, and what it
// read is kept under that value, so nothing read before a write is ever
// served after it.
type roomCache[T any] struct {
	mu      sync.Mutex
	version uint64 // the counter's value the values were read at
	rooms   map[string]T
}

// get returns what was kept of room if it was read at version; the caller
// must not change it.
func (c *roomCache[T]) get(room string, version uint64) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		var zero T
		return zero, false
	}
	v, ok := c.rooms[room]
	return v, ok
}

// put keeps v of room, read at version, which the caller took before it
// read v.
func (c *roomCache[T]) put(room string, v T, version uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return
	case version > c.version:
		c.version, c.rooms = version, nil
	}
	if c.rooms == nil || len(c.rooms) >= maxCachedRooms {
		c.rooms = map[string]T{}
	}
	c.rooms[room] = v
}
