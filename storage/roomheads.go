package storage

import (
	"context"
	"fmt"
	"sync"
)

// maxCachedRooms bounds the rooms headCache holds; past it the cache
// starts over.
const maxCachedRooms = 256

const roomHeadRowsSQL = `SELECT author, contiguous, max_seq FROM room_heads WHERE room = ?`

// headRow is one author's head in a room: the highest seq held without a
// hole from 1 (contiguous) and the highest held at all.
type headRow struct {
	author     string
	contiguous uint64
	maxSeq     uint64
}

// headCache holds the rows of room_heads read since the room log was
// last written: every sync, asked or answered, reads a room's heads, and
// in an office of a hundred a node syncs with a colleague several times a
// second while its rooms change a few times a minute. Every write to the
// room log moves Store.roomLog, which empties the cache.
type headCache struct {
	mu      sync.Mutex
	version uint64 // the value of Store.roomLog the rows were read at
	rooms   map[string][]headRow
}

// get returns room's rows if they were read at version; the caller must
// not change them.
func (c *headCache) get(room string, version uint64) ([]headRow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil, false
	}
	rows, ok := c.rooms[room]
	return rows, ok
}

// put keeps room's rows, read at version, which the caller took before it
// read them: rows read before a write are never kept under the version
// after it.
func (c *headCache) put(room string, rows []headRow, version uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return
	case version > c.version:
		c.version, c.rooms = version, nil
	}
	if c.rooms == nil || len(c.rooms) >= maxCachedRooms {
		c.rooms = map[string][]headRow{}
	}
	c.rooms[room] = rows
}

// headRows returns every author's head in room, from the cache while the
// room log is unchanged. The rows are shared: the caller must not change
// them.
func (s *Store) headRows(ctx context.Context, room string) ([]headRow, error) {
	version := s.roomLog.Load() // before the read: see headCache.put
	if rows, ok := s.heads.get(room, version); ok {
		return rows, nil
	}
	rows, err := s.stmts.roomHeads.QueryContext(ctx, room)
	if err != nil {
		return nil, fmt.Errorf("storage: heads of room %s: %w", room, err)
	}
	list, err := scanAll(rows, "heads of room "+room, func(sc scanner) (headRow, error) {
		var h headRow
		var contiguous, maxSeq int64
		err := sc.Scan(&h.author, &contiguous, &maxSeq)
		h.contiguous, h.maxSeq = uint64(contiguous), uint64(maxSeq)
		return h, err
	})
	if err != nil {
		return nil, err
	}
	s.heads.put(room, list, version)
	return list, nil
}
