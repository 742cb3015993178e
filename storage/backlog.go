package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

const (
	// backlogPause is how long the search backlog gathers messages after
	// a commit before they are indexed, so that what a few seconds bring
	// is indexed at once. Indexing one message alone took more CPU than
	// storing it (about 380 µs against 350), four at once less than half
	// as much each; a room of colleagues posting every few seconds had
	// every member index each post on its own, and indexing every second
	// still made each run small. Search loses nothing by the wait: it
	// works off the backlog first.
	backlogPause = 3 * time.Second
	// backlogPauseBusy is the pause after a run that indexed a step or
	// more (a large sync): what a search would have to work off first
	// stays about a second's worth.
	backlogPauseBusy = time.Second
	// backlogBatch bounds the messages indexed by one transaction, so
	// that a long backlog (after a large sync) holds the writer for a
	// moment at a time rather than for the whole of it: a search or an
	// import, which wait for the whole backlog, index it this many at a
	// time.
	backlogBatch = 2000
	// backlogStep is backlogBatch for the indexer in the background,
	// which no one waits for: 128 messages hold the writer about 1.5 ms
	// (11 µs each; one at a time cost 360), so that a message committed
	// meanwhile, a direct message say, waits no longer than that.
	backlogStep = 128
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
	s.index = newAfterCommits(backlogPause, backlogPauseBusy, s.indexInBackground)
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
	_, err := s.indexBacklogBy(ctx, backlogBatch)
	return err
}

// indexInBackground is indexBacklog for the indexer (backlogStep); it
// reports whether it found a step or more to index.
func (s *Store) indexInBackground(ctx context.Context) (bool, error) {
	n, err := s.indexBacklogBy(ctx, backlogStep)
	return n >= backlogStep, err
}

// indexBacklogBy is indexBacklog, batch messages a transaction; it returns
// how many it indexed.
func (s *Store) indexBacklogBy(ctx context.Context, batch int) (int, error) {
	var more bool
	if err := s.stmts.backlogAny.QueryRowContext(ctx).Scan(&more); err != nil {
		return 0, fmt.Errorf("storage: search backlog: %w", err)
	}
	indexed := 0
	for more {
		err := s.inTxWith(ctx, Replicated, func(tx *sql.Tx) error {
			if _, err := tx.StmtContext(ctx, s.stmts.backlogIndex).ExecContext(ctx, batch); err != nil {
				return err
			}
			res, err := tx.StmtContext(ctx, s.stmts.backlogDone).ExecContext(ctx, batch)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			more = n == int64(batch)
			indexed += int(n)
			return err
		})
		if err != nil {
			return indexed, fmt.Errorf("storage: index the search backlog: %w", err)
		}
	}
	return indexed, nil
}
