package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
)

// ChainLink is what the chain check needs of one stored envelope: the link
// its body names (Prev, nil when none) and its own (Link, the SHA-256 of
// the envelope as stored, which the author's next envelope names).
type ChainLink struct {
	Seq  uint64
	Prev []byte
	Link [sha256.Size]byte
}

// ChainLinks returns the links of author's envelopes in room with a seq
// in lo..hi, by seq.
func (s *Store) ChainLinks(ctx context.Context, room, author string, lo, hi uint64) ([]ChainLink, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT seq, prev, link, CASE WHEN link IS NULL THEN raw END
		FROM room_envelopes WHERE room = ? AND author = ? AND seq BETWEEN ? AND ? ORDER BY seq`,
		room, author, int64(lo), int64(min(hi, 1<<63-1)))
	if err != nil {
		return nil, fmt.Errorf("storage: chain links of %s in %s: %w", author, room, err)
	}
	defer rows.Close()
	var out []ChainLink
	for rows.Next() {
		var (
			l              ChainLink
			seq            int64
			link, raw, prv []byte
		)
		if err := rows.Scan(&seq, &prv, &link, &raw); err != nil {
			return nil, fmt.Errorf("storage: chain links of %s in %s: %w", author, room, err)
		}
		l.Seq, l.Prev = uint64(seq), prv
		if len(link) == sha256.Size {
			copy(l.Link[:], link)
		} else {
			l.Link = sha256.Sum256(raw)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: chain links of %s in %s: %w", author, room, err)
	}
	return out, nil
}

// RoomEnvelope returns the envelope stored for (room, author, seq); ok is
// false when none is.
func (s *Store) RoomEnvelope(ctx context.Context, room, author string, seq uint64) (raw []byte, ok bool, err error) {
	err = s.reader.QueryRowContext(ctx, heldEnvelopeSQL, room, author, int64(seq)).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("storage: envelope %s/%s/%d: %w", room, author, seq, err)
	}
	return raw, true, nil
}
