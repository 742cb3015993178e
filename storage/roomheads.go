package storage

import (
	"context"
	"fmt"
)

const roomHeadRowsSQL = `SELECT author, contiguous, max_seq FROM room_heads WHERE room = ?`

// headRow is one author's head in a room: the highest seq held without a
// hole from 1 (contiguous) and the highest held at all.
type headRow struct {
	author     string
	contiguous uint64
	maxSeq     uint64
}

// headRows returns every author's head in room, from the cache while the
// room log is unchanged. The rows are shared: the caller must not change
// them.
func (s *Store) headRows(ctx context.Context, room string) ([]headRow, error) {
	version, settled := s.roomLog.settled()
	if rows, ok := s.heads.get(room, version); settled && ok {
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
	if settled && s.roomLog.still(version) {
		s.heads.put(room, list, version, len(list))
	}
	return list, nil
}

// contiguousHeads maps each author of rows to the seq up to which the
// room holds all of theirs, leaving out those it holds none of from 1.
func contiguousHeads(rows []headRow) map[string]uint64 {
	heads := make(map[string]uint64, len(rows))
	for _, h := range rows {
		if h.contiguous > 0 {
			heads[h.author] = h.contiguous
		}
	}
	return heads
}
