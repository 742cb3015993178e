package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
)

const roomHeadsSQL = `SELECT author, contiguous FROM room_heads WHERE room = ? AND contiguous > 0`

// RoomHeads returns the room's version vector as this node holds it: for
// each author with at least its first envelope stored, the highest n such
// that seqs 1..n are all stored. Authors with nothing contiguous are left
// out, as a missing author means 0.
func (s *Store) RoomHeads(ctx context.Context, room string) (map[string]uint64, error) {
	rows, err := s.stmts.roomHeads.QueryContext(ctx, room)
	if err != nil {
		return nil, fmt.Errorf("storage: heads of room %s: %w", room, err)
	}
	defer rows.Close()
	heads := make(map[string]uint64)
	for rows.Next() {
		var author string
		var n int64
		if err := rows.Scan(&author, &n); err != nil {
			return nil, fmt.Errorf("storage: heads of room %s: %w", room, err)
		}
		heads[author] = uint64(n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: heads of room %s: %w", room, err)
	}
	return heads, nil
}

// A peer's missing envelopes are found one of two ways, whichever reads
// fewer index entries. Either works for any vector; only the cost differs.
//
// envelopesInOrderSQL walks the room in display order and skips what the peer
// has, stopping at the limit: it reads at most (stored - missing) + limit
// entries, which suits a peer that has little, such as one that just joined.
//
// envelopesByAuthorSQL scans, per author, the seqs above what the peer has
// and sorts only those keys: it reads exactly the missing entries, which
// suits a peer that is nearly up to date.
//
// Both read the envelopes themselves, which are large, only for the rows
// returned. ?2 maps every author of the room to the seq the peer has.
const (
	envelopesInOrderSQL = `
	WITH have (author, seq) AS MATERIALIZED (SELECT key, value FROM json_each(?2))
	SELECT e.raw FROM room_envelopes e INDEXED BY room_envelopes_order
	JOIN have h ON h.author = e.author
	WHERE e.room = ?1 AND e.seq > h.seq
	ORDER BY e.hlc, e.author, e.seq
	LIMIT ?3`

	envelopesByAuthorSQL = `
	WITH missing AS (
		SELECT e.rowid AS id, e.hlc, e.author, e.seq
		FROM json_each(?2) h
		CROSS JOIN room_envelopes e INDEXED BY room_envelopes_author
		        ON e.room = ?1 AND e.author = h.key AND e.seq > h.value
		ORDER BY e.hlc, e.author, e.seq
		LIMIT ?3
	)
	SELECT e.raw FROM missing m JOIN room_envelopes e ON e.rowid = m.id
	ORDER BY m.hlc, m.author, m.seq`
)

// RoomEnvelopesAfter returns what a peer whose version vector is have misses
// of room: the envelopes whose seq exceeds have[author] (0 for an author
// absent from have), in display order (hlc, author, seq), at most limit of
// them (limit <= 0: all).
func (s *Store) RoomEnvelopesAfter(ctx context.Context, room string, have map[string]uint64, limit int) ([][]byte, error) {
	heads, err := s.roomMaxSeqs(ctx, room)
	if err != nil {
		return nil, fmt.Errorf("storage: envelopes of room %s: %w", room, err)
	}
	vector := make(map[string]int64, len(heads))
	for author := range heads {
		// A claim beyond what SQLite integers hold means "everything".
		vector[author] = int64(min(have[author], math.MaxInt64))
	}
	query := envelopesQuery(heads, vector, limit)
	if query == "" {
		return nil, nil
	}
	envs, err := s.readEnvelopes(ctx, query, room, vector, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: envelopes of room %s: %w", room, err)
	}
	return envs, nil
}

// envelopesQuery picks the cheaper way to find what a peer with vector
// misses, from the room's highest seqs per author; "" when it misses none.
func envelopesQuery(heads map[string]uint64, vector map[string]int64, limit int) string {
	// Estimated from the heads, which count gaps as stored. Floats, because
	// an author may claim seqs whose sum overflows any integer.
	var stored, missing float64
	for author, maxSeq := range heads {
		stored += float64(maxSeq)
		if n := uint64(vector[author]); n < maxSeq {
			missing += float64(maxSeq - n)
		}
	}
	if missing == 0 {
		return ""
	}
	page := missing
	if limit > 0 {
		page = min(float64(limit), missing)
	}
	// A row the walk skips costs about twice a row the author scan reads,
	// as it is looked up in the vector (measured on 100,000 envelopes).
	if 2*(stored-missing+page) < missing {
		return envelopesInOrderSQL
	}
	return envelopesByAuthorSQL
}

func (s *Store) readEnvelopes(ctx context.Context, query, room string, vector map[string]int64, limit int) ([][]byte, error) {
	arg, err := json.Marshal(vector)
	if err != nil {
		return nil, fmt.Errorf("encode vector: %w", err)
	}
	rows, err := s.reader.QueryContext(ctx, query, room, string(arg), sqlLimit(limit))
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

// roomMaxSeqs maps each author of room to the highest seq stored of it.
func (s *Store) roomMaxSeqs(ctx context.Context, room string) (map[string]uint64, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT author, max_seq FROM room_heads WHERE room = ?`, room)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	heads := make(map[string]uint64)
	for rows.Next() {
		var author string
		var n int64
		if err := rows.Scan(&author, &n); err != nil {
			return nil, err
		}
		heads[author] = uint64(n)
	}
	return heads, rows.Err()
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
