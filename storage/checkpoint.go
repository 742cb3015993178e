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
	db     *sql.DB // one connection, for checkpoints only
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
	// ran, when set (tests), is told of each checkpoint and its error.
	ran func(error)
}

func startCheckpointer(db *sql.DB) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go c.run(ctx)
	return c
}

// poke tells the checkpointer a transaction committed.
func (c *checkpointer) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run(ctx context.Context) {
	defer close(c.done)
	pause := time.NewTimer(0)
	<-pause.C
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		}
		pause.Reset(checkpointPause)
		select {
		case <-ctx.Done():
			return
		case <-pause.C:
		}
		_, err := c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		if c.ran != nil {
			c.ran(err)
		}
	}
}

// stop ends the checkpointer and closes its connection.
func (c *checkpointer) stop() error {
	c.cancel()
	<-c.done
	return c.db.Close()
}
