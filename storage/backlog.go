package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

const (
	// backlogPause is how long the search backlog gathers messages after
	// a commit before they are indexed, so that what a second brings is
	// indexed at once. Indexing one message alone took more CPU than
	// storing it (about 380 µs against 350), four at once less than half
	// as much each; a room of colleagues posting every few seconds had
	// every member index each post on its own. Search loses nothing by
	// the wait: it works off the backlog first.
	backlogPause = time.Second
	// backlogBatch bounds the messages indexed by one transaction, so
	// that a long backlog (after a large sync) holds the writer for a
	// moment at a time rather than for the whole of it.
	backlogBatch = 2000
)

const (
	backlogAnySQL = `SELECT EXISTS (SELECT 1 FROM search_backlog)`
	// The message's row as it is now, through the index's content view:
	// an erased message is indexed erased, a deleted one not at all.
	backlogIndexSQL = `
	INSERT INTO message_fts (rowid, body, tag_conv, tag_author, tag_month, tag_kind)
	SELECT seq, body, tag_conv, tag_author, tag_month, tag_kind FROM message_search
	WHERE seq IN (SELECT seq FROM search_backlog ORDER BY seq LIMIT ?)`
	backlogDoneSQL = `DELETE FROM search_backlog WHERE seq IN (SELECT seq FROM search_backlog ORDER BY seq LIMIT ?)`
)

// startIndexer works off the search backlog (migrations/0019) in the
// background, shortly after commits that may have added to it, beginning
// with what an earlier run of the store left. Search does not wait for it:
// it works off what is left itself first (indexBacklog). s.index is set
// before the indexer starts, since its own commits poke it.
func (s *Store) startIndexer() {
	s.index = newAfterCommits(backlogPause, s.indexBacklog)
	s.index.start()
	s.index.poke()
}

// indexBacklog indexes every message in the search backlog, a batch per
// transaction. The index is derived from the messages and the backlog
// leaves it in the same transaction, so these commits need not survive a
// power cut: one that does not leaves its messages in the backlog.
//
// Whatever rebuilds the index from the messages (FTS5's 'rebuild') must
// empty the backlog in the same transaction, or the messages in it would
// be indexed twice.
func (s *Store) indexBacklog(ctx context.Context) error {
	var more bool
	if err := s.stmts.backlogAny.QueryRowContext(ctx).Scan(&more); err != nil {
		return fmt.Errorf("storage: search backlog: %w", err)
	}
	for more {
		err := s.inTxWith(ctx, Replicated, func(tx *sql.Tx) error {
			if _, err := tx.StmtContext(ctx, s.stmts.backlogIndex).ExecContext(ctx, backlogBatch); err != nil {
				return err
			}
			res, err := tx.StmtContext(ctx, s.stmts.backlogDone).ExecContext(ctx, backlogBatch)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			more = n == backlogBatch
			return err
		})
		if err != nil {
			return fmt.Errorf("storage: index the search backlog: %w", err)
		}
	}
	return nil
}
