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

// ChainKey names one author's chain of envelopes in one room.
type ChainKey struct{ Room, Author string }

const chainLinksSQL = `SELECT seq, prev, link, CASE WHEN link IS NULL THEN raw END
	FROM room_envelopes WHERE room = ? AND author = ? AND seq BETWEEN ? AND ? ORDER BY seq`

// ChainLinks returns the links of author's envelopes in room with a seq
// in lo..hi, by seq.
func (s *Store) ChainLinks(ctx context.Context, room, author string, lo, hi uint64) ([]ChainLink, error) {
	links, err := chainLinks(ctx, s.reader, ChainKey{room, author}, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return links, nil
}

// rowsQuerier is a database or a transaction.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func chainLinks(ctx context.Context, q rowsQuerier, k ChainKey, lo, hi uint64) ([]ChainLink, error) {
	rows, err := q.QueryContext(ctx, chainLinksSQL, k.Room, k.Author, int64(lo), int64(min(hi, 1<<63-1)))
	if err != nil {
		return nil, fmt.Errorf("chain links of %s in %s: %w", k.Author, k.Room, err)
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
			return nil, fmt.Errorf("chain links of %s in %s: %w", k.Author, k.Room, err)
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
		return nil, fmt.Errorf("chain links of %s in %s: %w", k.Author, k.Room, err)
	}
	return out, nil
}

// linksAround reads, in the transaction that added them, each author's
// links from the seq before the first entry added to the one after the
// last: what the chain check compares, read where the pages the insert
// touched are still in the writer's cache rather than by a reader after
// the commit.
func linksAround(ctx context.Context, tx *sql.Tx, added []RoomEntry) (map[ChainKey][]ChainLink, error) {
	span := map[ChainKey][2]uint64{}
	for _, e := range added {
		k := ChainKey{e.Room, e.Author}
		r, ok := span[k]
		if !ok {
			r = [2]uint64{e.Seq, e.Seq}
		}
		span[k] = [2]uint64{min(r[0], e.Seq), max(r[1], e.Seq)}
	}
	out := make(map[ChainKey][]ChainLink, len(span))
	for k, r := range span {
		links, err := chainLinks(ctx, tx, k, max(r[0], 2)-1, r[1]+1)
		if err != nil {
			return nil, err
		}
		out[k] = links
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
