package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

const (
	// checkpointPause is how long the log gathers commits after the first
	// one before they are copied into the database, while it grows slowly
	// (conversation: a few pages a commit). Each copy ends with an fsync
	// of the database file, and the pages a run of commits touches are
	// mostly the same ones, so copying seldom copies each once (with the
	// indexer's longer pause, ten members of a busy room spent 9% less
	// CPU a post than copying every half second: docs/ARCHIVE.md).
	checkpointPause = 3 * time.Second
	// checkpointPauseBusy is the pause while the log grows fast (an
	// import, a large sync): gathering three seconds of that would pass
	// the size at which SQLite copies the log inside a commit, and a large
	// log slows every commit and read.
	checkpointPauseBusy = 500 * time.Millisecond
	// checkpointBusyPages: a copy that found at least this many pages in
	// the log (4 MiB of 4 KiB pages) says it grows fast.
	checkpointBusyPages = 1024
)

// checkpointer copies the write-ahead log into the database file in the
// background, on a connection of its own. SQLite would otherwise do it
// inside a commit now and then (its automatic checkpoint), and the
// direct message that happened to commit then waited tens of
// milliseconds for pages that were not its own. A passive checkpoint
// takes no lock a writer or a reader waits on.
type checkpointer struct {
	*afterCommits
	db *sql.DB // one connection, for checkpoints only
}

func startCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db}
	c.afterCommits = newAfterCommits(checkpointPause, checkpointPauseBusy, c.checkpoint).start()
	return c
}

// checkpoint copies the log, and reports whether it held many pages. A
// log that could not be reset since the last copy (a reader still on old
// pages) keeps its pages and so counts as busy: the copies then come as
// often as they always did.
func (c *checkpointer) checkpoint(ctx context.Context) (bool, error) {
	var blocked, pages, copied int
	err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&blocked, &pages, &copied)
	if err != nil {
		return false, fmt.Errorf("checkpoint: %w", err)
	}
	return pages >= checkpointBusyPages, nil
}

// stop ends the checkpointer and closes its connection.
func (c *checkpointer) stop() error {
	c.afterCommits.stop()
	return c.db.Close()
}
