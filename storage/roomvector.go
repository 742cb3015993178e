package storage

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"slices"
)

// RoomVector is what a node holds of a room's log, as sync exchanges it:
// per author, the highest seq held contiguously from 1 (Heads; an author
// absent holds 0), and the seqs held above it (Held, ascending). Held lets
// a peer whose log has a hole, one its author may never fill, be spared
// what it already holds above the hole.
//
// A member keeps what it holds above a head within one window of seqs
// (see rooms): an author that numbers 2, 4, 6, … or jumps a million ahead
// cannot make it hold more than one window can describe.
type RoomVector struct {
	Heads map[string]uint64
	Held  map[string][]uint64
}

const (
	// roomHeldSQL lists an author's seqs from the lowest above ?3, within
	// ?4 of it.
	roomHeldSQL = `
	WITH low (seq) AS (SELECT seq FROM room_envelopes WHERE room = ?1 AND author = ?2 AND seq > ?3 ORDER BY seq LIMIT 1)
	SELECT e.seq FROM low, room_envelopes e
	WHERE e.room = ?1 AND e.author = ?2 AND e.seq >= low.seq AND e.seq - low.seq < ?4 ORDER BY e.seq`
	// heldSpanSQL reads the lowest and highest seqs of an author above ?3.
	heldSpanSQL = `
	SELECT (SELECT seq FROM room_envelopes WHERE room = ?1 AND author = ?2 AND seq > ?3 ORDER BY seq LIMIT 1),
	       (SELECT seq FROM room_envelopes WHERE room = ?1 AND author = ?2 AND seq > ?3 ORDER BY seq DESC LIMIT 1)`
)

// RoomVectorOf returns the room's vector as this node holds it: the seqs
// held above each head, from the lowest on, within window of it.
func (s *Store) RoomVectorOf(ctx context.Context, room string, window uint64) (RoomVector, error) {
	rows, err := s.headRows(ctx, room)
	if err != nil {
		return RoomVector{}, err
	}
	v := RoomVector{Heads: contiguousHeads(rows), Held: map[string][]uint64{}}
	for _, h := range rows {
		if h.maxSeq <= h.contiguous {
			continue // no hole
		}
		rows, err := s.reader.QueryContext(ctx, roomHeldSQL, room, h.author, int64(min(h.contiguous, math.MaxInt64)), int64(min(window, math.MaxInt64)))
		if err != nil {
			return v, fmt.Errorf("storage: vector of room %s: %w", room, err)
		}
		seqs, err := scanAll(rows, "vector of room "+room, func(sc scanner) (uint64, error) {
			var q int64
			err := sc.Scan(&q)
			return uint64(q), err
		})
		if err != nil {
			return v, err
		}
		if len(seqs) > 0 {
			v.Held[h.author] = seqs
		}
	}
	return v, nil
}

// HeldSpan returns the lowest and highest seqs of author stored in room
// above head; ok is false when there are none.
func (s *Store) HeldSpan(ctx context.Context, room, author string, head uint64) (lo, hi uint64, ok bool, err error) {
	var l, h sql.NullInt64
	err = s.reader.QueryRowContext(ctx, heldSpanSQL, room, author, int64(min(head, math.MaxInt64))).Scan(&l, &h)
	if err != nil {
		return 0, 0, false, fmt.Errorf("storage: held seqs of %s in room %s: %w", author, room, err)
	}
	return uint64(l.Int64), uint64(h.Int64), l.Valid, nil
}

// want is what a peer may be served of one author: the seqs in its ranges
// (above the first bound, up to the second) except those in held.
type want struct {
	author string
	ranges [][2]int64
	held   []int64
	maxSeq uint64 // the highest seq this node stores of the author
}

// wantsOf is, for each author this node stores (heads: its highest seq of
// each), what a peer holding v takes. With window 0, everything above its
// head. Otherwise the peer takes (see rooms) whatever continues its head,
// and, above the head, what keeps the seqs it holds there within window of
// each other: with none held, anything; with held seqs from lo to hi,
// those within window above its head and those from hi-window+1 to
// lo+window-1. Seqs beyond what SQLite integers hold are clamped: a claim
// that large means "everything".
func wantsOf(heads map[string]uint64, v RoomVector, window uint64) []want {
	out := make([]want, 0, len(heads))
	for _, author := range slices.Sorted(maps.Keys(heads)) {
		have := min(v.Heads[author], math.MaxInt64)
		w := want{author: author, maxSeq: heads[author]}
		for _, q := range v.Held[author] {
			if q > have && q <= math.MaxInt64 {
				w.held = append(w.held, int64(q))
			}
		}
		slices.Sort(w.held)
		w.held = slices.Compact(w.held)
		w.ranges = [][2]int64{{int64(have), math.MaxInt64}}
		if window > 0 && len(w.held) > 0 {
			win := int64(min(window, math.MaxInt64/2))
			lo, hi := w.held[0], w.held[len(w.held)-1]
			near := [2]int64{int64(have), int64(have) + min(win, math.MaxInt64-int64(have))}
			island := [2]int64{max(int64(have), hi-win), lo + min(win-1, math.MaxInt64-lo)}
			w.ranges = mergeRanges(near, island)
		}
		out = append(out, w)
	}
	return out
}

// mergeRanges is the union of two ranges (above, up to], as one range when
// they meet.
func mergeRanges(a, b [2]int64) [][2]int64 {
	if a[0] > b[0] {
		a, b = b, a
	}
	switch {
	case b[1] <= b[0]:
		return [][2]int64{a}
	case b[0] <= a[1]:
		return [][2]int64{{a[0], max(a[1], b[1])}}
	}
	return [][2]int64{a, b}
}
