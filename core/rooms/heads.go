package rooms

import (
	"maps"
	"slices"
	"sync"
)

// headCache mirrors, per room and author, the highest sequence number held
// contiguously, as far as this process has seen it.
type headCache struct {
	mu    sync.Mutex // guards rooms
	rooms map[string]map[string]uint64
}

// advance moves an author's head over seqs if they continue it without a
// hole; it reports false when it cannot tell (unknown room, or a hole).
func (h *headCache) advance(room, author string, seqs []uint64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.rooms[room]
	if !ok {
		return false
	}
	slices.Sort(seqs)
	head := r[author]
	for _, q := range seqs {
		switch {
		case q <= head:
		case q == head+1:
			head = q
		default:
			return false
		}
	}
	r[author] = head
	return true
}

// get is an author's head in room; ok is false when the room is not
// cached yet.
func (h *headCache) get(room, author string) (head uint64, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.rooms[room]
	return r[author], ok
}

// set replaces a room's heads with a copy of heads: the caller keeps
// reading its map while other batches advance the cache.
func (h *headCache) set(room string, heads map[string]uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rooms == nil {
		h.rooms = map[string]map[string]uint64{}
	}
	if heads = maps.Clone(heads); heads == nil {
		heads = map[string]uint64{}
	}
	h.rooms[room] = heads
}
