package storage

import (
	"context"
	"encoding/json"
	"fmt"
)

// RoomHeads returns the room's version vector as this node holds it: for
// each author with at least its first envelope stored, the highest n such
// that seqs 1..n are all stored. Authors with nothing contiguous are left
// out, as a missing author means 0.
func (s *Store) RoomHeads(ctx context.Context, room string) (map[string]uint64, error) {
	rows, err := s.headRows(ctx, room)
	if err != nil {
		return nil, err
	}
	return contiguousHeads(rows), nil
}

// A peer's missing envelopes are found one of two ways, whichever costs
// less (envelopesQuery). Either works for any vector; only the cost differs.
//
// envelopesInOrderSQL walks the room in display order and skips what the peer
// has, stopping at the limit: it reads at most (stored - missing) + limit
// index entries, which suits a peer that has little, such as one that just
// joined.
//
// envelopesByAuthorSQL scans, per author, the seqs above what the peer has
// along the primary key, reads each one's clock from its row, and sorts only
// those keys: it reads exactly the missing rows (and those the peer holds
// above a hole), which suits a peer that is nearly up to date.
//
// Both hand over the envelopes themselves, which are large, only for the
// rows returned. ?2 lists the ranges of seqs to serve, [author, the author's
// index, above, up to], one or two per author of the room the peer may
// miss any of (see wantsOf and askedOf). Both are prepared once
// (statements.syncPlans): a sync is served every few seconds per
// colleague, and SQLite took longer to parse and plan them than to run
// them for a peer missing little. A
// peer that holds seqs above a hole gets the plan's "Held" form, where ?4
// lists [author's index, seq] for each of them; its NOT IN over a subquery
// is looked up in a temporary index SQLite builds once. The author is cast
// to TEXT so that it compares with the column's affinity, which lets the
// walk look each row's author up in an automatic index instead of scanning
// ?2.
const (
	envelopesInOrderTmpl = `
	WITH want (author, ai, lo, hi) AS MATERIALIZED (
		SELECT CAST(value->>0 AS TEXT), value->>1, value->>2, value->>3 FROM json_each(?2))
	SELECT e.raw FROM room_envelopes e INDEXED BY room_envelopes_order
	JOIN want h ON h.author = e.author
	WHERE e.room = ?1 AND e.seq > h.lo AND e.seq <= h.hi %s
	ORDER BY e.hlc, e.author, e.seq
	LIMIT ?3`

	envelopesByAuthorTmpl = `
	WITH want (author, ai, lo, hi) AS MATERIALIZED (
		SELECT CAST(value->>0 AS TEXT), value->>1, value->>2, value->>3 FROM json_each(?2)),
	missing AS (
		SELECT e.rowid AS id, e.hlc, e.author, e.seq
		FROM want h
		CROSS JOIN room_envelopes e INDEXED BY sqlite_autoindex_room_envelopes_1
		        ON e.room = ?1 AND e.author = h.author AND e.seq > h.lo AND e.seq <= h.hi
		WHERE true %s
		ORDER BY e.hlc, e.author, e.seq
		LIMIT ?3
	)
	SELECT e.raw FROM missing m JOIN room_envelopes e ON e.rowid = m.id
	ORDER BY m.hlc, m.author, m.seq`

	notHeld = `AND (h.ai, e.seq) NOT IN (SELECT value->>0, value->>1 FROM json_each(?4))`
)

var (
	envelopesInOrderSQL      = fmt.Sprintf(envelopesInOrderTmpl, "")
	envelopesByAuthorSQL     = fmt.Sprintf(envelopesByAuthorTmpl, "")
	envelopesInOrderHeldSQL  = fmt.Sprintf(envelopesInOrderTmpl, notHeld)
	envelopesByAuthorHeldSQL = fmt.Sprintf(envelopesByAuthorTmpl, notHeld)
	// withHeld is each plan's form for a peer that holds seqs above a hole.
	withHeld = map[string]string{envelopesInOrderSQL: envelopesInOrderHeldSQL, envelopesByAuthorSQL: envelopesByAuthorHeldSQL}
)

// RoomEnvelopesAfter returns what a peer whose version vector is have misses
// of room: the envelopes whose seq exceeds have[author] (0 for an author
// absent from have), in display order (hlc, author, seq), at most limit of
// them (limit <= 0: all).
func (s *Store) RoomEnvelopesAfter(ctx context.Context, room string, have map[string]uint64, limit int) ([][]byte, error) {
	return s.RoomEnvelopesMissing(ctx, room, RoomVector{Heads: have}, 0, limit)
}

// RoomEnvelopesMissing returns what a peer holding v misses of room, in
// display order (hlc, author, seq), at most limit of them (limit <= 0:
// all): per author, the envelopes above v.Heads[author] that are not in
// v.Held[author] and that the peer would take (window > 0; see wantsOf).
// Serving what it would refuse would only send it again and again.
func (s *Store) RoomEnvelopesMissing(ctx context.Context, room string, v RoomVector, window uint64, limit int) ([][]byte, error) {
	heads, err := s.roomMaxSeqs(ctx, room)
	if err != nil {
		return nil, fmt.Errorf("storage: envelopes of room %s: %w", room, err)
	}
	w := wantsOf(heads, v, window)
	query := envelopesQuery(w, limit)
	if query == "" {
		return nil, nil
	}
	envs, err := s.readEnvelopes(ctx, query, room, w, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: envelopes of room %s: %w", room, err)
	}
	return envs, nil
}

// envelopesQuery picks the cheaper way to serve wants; "" when nothing is
// missing.
func envelopesQuery(wants []want, limit int) string {
	// Estimated from the heads, which count gaps as stored. Floats, because
	// an author may claim seqs whose sum overflows any integer.
	var stored, missing float64
	for _, w := range wants {
		stored += float64(w.maxSeq)
		span := 0.0
		for _, r := range w.ranges {
			if hi := min(w.maxSeq, uint64(r[1])); hi > uint64(r[0]) {
				span += float64(hi - uint64(r[0]))
			}
		}
		missing += max(0, span-float64(len(w.held)))
	}
	if missing == 0 {
		return ""
	}
	page := missing
	if limit > 0 {
		page = min(float64(limit), missing)
	}
	// A row the author scan reads costs about twice a row the walk skips,
	// as its clock is read from the table row (measured on 100,000
	// envelopes of 1 KiB).
	if stored-missing+page < 2*missing {
		return envelopesInOrderSQL
	}
	return envelopesByAuthorSQL
}

func (s *Store) readEnvelopes(ctx context.Context, query, room string, wants []want, limit int) ([][]byte, error) {
	ranges, held := askedOf(wants)
	rangeArg, err := json.Marshal(ranges)
	if err != nil {
		return nil, fmt.Errorf("encode vector: %w", err)
	}
	args := []any{room, string(rangeArg), sqlLimit(limit)}
	if len(held) > 0 {
		heldArg, err := json.Marshal(held)
		if err != nil {
			return nil, fmt.Errorf("encode vector: %w", err)
		}
		query, args = withHeld[query], append(args, string(heldArg))
	}
	rows, err := s.stmts.syncPlans[query].QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		if string(raw) == expiredEnvelope {
			continue // emptied by retention (see ApplyRetention): nothing to serve
		}
		out = append(out, raw)
	}
	return out, rows.Err()
}

// askedOf is what the plans are given of wants: the ranges of seqs to
// look up, [author, the author's index in wants, above, up to], and the
// seqs held above them, [author's index, seq]. A range from an author's
// highest stored seq on is left out, and so is an author left without
// any: nothing is stored there, and looking each of them up for nothing,
// for every colleague of an office that a peer is up to date with, was
// most of what serving it cost.
func askedOf(wants []want) (ranges [][4]any, held [][2]int64) {
	ranges, held = [][4]any{}, [][2]int64{}
	for i, w := range wants {
		asked := false
		for _, r := range w.ranges {
			if uint64(r[0]) < w.maxSeq {
				ranges = append(ranges, [4]any{w.author, i, r[0], r[1]})
				asked = true
			}
		}
		if !asked {
			continue
		}
		for _, q := range w.held {
			held = append(held, [2]int64{int64(i), q})
		}
	}
	return ranges, held
}

// roomMaxSeqs maps each author of room to the highest seq stored of it.
func (s *Store) roomMaxSeqs(ctx context.Context, room string) (map[string]uint64, error) {
	rows, err := s.headRows(ctx, room)
	if err != nil {
		return nil, err
	}
	heads := make(map[string]uint64, len(rows))
	for _, h := range rows {
		heads[h.author] = h.maxSeq
	}
	return heads, nil
}

// CountRoomEnvelopes returns how many envelopes of room are stored.
func (s *Store) CountRoomEnvelopes(ctx context.Context, room string) (int, error) {
	var n int
	err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM room_envelopes WHERE room = ?`, room).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("storage: count envelopes of room %s: %w", room, err)
	}
	return n, nil
}
