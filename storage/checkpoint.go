package storage

import (
	"context"
	"database/sql"
	"time"
)

// checkpointPause is how long the log gathers commits after the first one
// before they are copied into the database.
const checkpointPause = 500 * time.Millisecond

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
	c.afterCommits = newAfterCommits(checkpointPause, func(ctx context.Context) error {
		_, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		return err
	}).start()
	return c
}

// stop ends the checkpointer and closes its connection.
func (c *checkpointer) stop() error {
	c.afterCommits.stop()
	return c.db.Close()
}
