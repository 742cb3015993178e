package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hallway/chat"
)

// Block is a colleague the user blocked: their key, the name they had
// then, the user's reason and when.
type Block struct {
	Peer   string
	Name   string
	Reason string
	At     time.Time
}

// maxBlockName bounds the name kept with a block (a display name is at
// most 64 characters).
const maxBlockName = 256

// SetBlocked records that peer is blocked now (or at b.At); blocking again
// keeps the first time and takes the new name and reason.
func (s *Store) SetBlocked(ctx context.Context, b Block) error {
	if b.Peer == "" {
		return errors.New("storage: block: empty peer")
	}
	if len(b.Reason) > chat.MaxBlockReason || len(b.Name) > maxBlockName {
		return fmt.Errorf("storage: block %s: reason or name too long", b.Peer)
	}
	at := b.At
	if at.IsZero() {
		at = now()
	}
	_, err := s.writer.ExecContext(ctx, `
		INSERT INTO blocked_peers (peer, name, reason, blocked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (peer) DO UPDATE SET name = excluded.name, reason = excluded.reason`,
		b.Peer, b.Name, b.Reason, toMillis(at))
	if err != nil {
		return fmt.Errorf("storage: block %s: %w", b.Peer, err)
	}
	return nil
}

// ClearBlocked unblocks peer; false if it was not blocked.
func (s *Store) ClearBlocked(ctx context.Context, peer string) (bool, error) {
	res, err := s.writer.ExecContext(ctx, `DELETE FROM blocked_peers WHERE peer = ?`, peer)
	if err != nil {
		return false, fmt.Errorf("storage: unblock %s: %w", peer, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Blocks lists every blocked colleague, oldest block first.
func (s *Store) Blocks(ctx context.Context) ([]Block, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT peer, name, reason, blocked_at FROM blocked_peers ORDER BY blocked_at, peer`)
	if err != nil {
		return nil, fmt.Errorf("storage: list blocked: %w", err)
	}
	return scanAll(rows, "list blocked", func(sc scanner) (Block, error) {
		var b Block
		var at int64
		err := sc.Scan(&b.Peer, &b.Name, &b.Reason, &at)
		b.At = fromMillis(at)
		return b, err
	})
}
