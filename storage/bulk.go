package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// ImportMessages stores many messages in one transaction, skipping any
// already stored (same author and id); for tools, fixtures and
// benchmarks that need a long history at once. Nothing is queued for
// delivery.
func (s *Store) ImportMessages(ctx context.Context, msgs []Message) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmt := tx.StmtContext(ctx, s.stmts.insertMessage)
		for _, m := range msgs {
			if err := checkMessage(m); err != nil {
				return fmt.Errorf("storage: import: %w", err)
			}
			_, ok, err := insertMessage(ctx, stmt, stamp(m, m.State))
			if err != nil {
				return fmt.Errorf("storage: import: %w", err)
			}
			if ok {
				n++
			}
		}
		return nil
	})
	return n, err
}
