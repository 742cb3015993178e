package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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

// Chain is one author's chain in one room around what an insert added:
// the seqs it added, in the order given, and the links held from the seq
// before the lowest of them to the one after the highest, by seq, as the
// inserting transaction left them.
type Chain struct {
	Added []uint64
	Links []ChainLink
}

const chainLinksSQL = `SELECT seq, prev, link, CASE WHEN link IS NULL THEN raw END
	FROM room_envelopes WHERE room = ? AND author = ? AND seq BETWEEN ? AND ? ORDER BY seq`

// chainLinks reads the links of k's envelopes with a seq in lo..hi, by
// seq, with stmt (chainLinksSQL).
func chainLinks(ctx context.Context, stmt *sql.Stmt, k ChainKey, lo, hi uint64) ([]ChainLink, error) {
	rows, err := stmt.QueryContext(ctx, k.Room, k.Author, int64(lo), int64(min(hi, 1<<63-1)))
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

// chainsAround groups what a transaction added by author and reads, in
// that transaction (stmt is chainLinksSQL bound to it), the links around
// it (Chain): where the pages the insert touched are still in the
// writer's cache rather than by a reader after the commit.
func chainsAround(ctx context.Context, stmt *sql.Stmt, added []RoomEntry) (map[ChainKey]Chain, error) {
	out := map[ChainKey]Chain{}
	for _, e := range added {
		k := ChainKey{e.Room, e.Author}
		c := out[k]
		c.Added = append(c.Added, e.Seq)
		out[k] = c
	}
	for k, c := range out {
		lo, hi := slices.Min(c.Added), slices.Max(c.Added)
		links, err := chainLinks(ctx, stmt, k, max(lo, 2)-1, hi+1)
		if err != nil {
			return nil, err
		}
		c.Links = links
		out[k] = c
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
