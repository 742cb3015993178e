package storage

import "sync"

// maxCachedCost bounds what a roomCache holds (a room's heads cost one
// per author, a room without forks one): about 2 MiB of heads. Past it
// the cache starts over.
const maxCachedCost = 1 << 15

// roomCache holds what was read of each room while no write was under
// way (see writes): Store.roomLog for the heads, Store.forks for the
// rooms without forks. A value is served only at the count of writes it
// was read at, with none under way.
type roomCache[T any] struct {
	mu      sync.Mutex
	version uint64 // the count of writes the values were read at
	rooms   map[string]T
	cost    int // of what rooms holds
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

// put keeps v of room, read at version (see writes); cost is what v
// weighs (see maxCachedCost).
func (c *roomCache[T]) put(room string, v T, version uint64, cost int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return
	case version > c.version:
		c.version, c.rooms, c.cost = version, nil, 0
	}
	cost = max(cost, 1)
	if cost > maxCachedCost {
		return
	}
	if c.rooms == nil || c.cost+cost > maxCachedCost {
		c.rooms, c.cost = map[string]T{}, 0
	}
	if _, held := c.rooms[room]; !held {
		c.rooms[room] = v
		c.cost += cost
	}
}
