package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// ImportMessages stores many messages in one transaction, skipping any
// already stored (same author and id), and returns once they are indexed
// for search; for tools, fixtures and benchmarks that need a long history
// at once. Nothing is queued for delivery.
func (s *Store) ImportMessages(ctx context.Context, msgs []Message) (int, error) {
	var seqs []int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmt := tx.StmtContext(ctx, s.stmts.insertMessage)
		seqs = seqs[:0]
		for _, m := range msgs {
			if err := checkMessage(m); err != nil {
				return fmt.Errorf("storage: import: %w", err)
			}
			seq, ok, err := insertMessage(ctx, stmt, stamp(m, m.State))
			if err != nil {
				return fmt.Errorf("storage: import: %w", err)
			}
			if ok {
				seqs = append(seqs, seq)
			}
		}
		if err := queueIndex(ctx, tx.StmtContext(ctx, s.stmts.queueIndex), seqs); err != nil {
			return fmt.Errorf("storage: import: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := s.indexBacklog(ctx); err != nil {
		return 0, fmt.Errorf("storage: import: %w", err)
	}
	return len(seqs), nil
}
