package storage

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Commits reach the database file itself in the background, without a
// checkpoint inside any commit: a copy of the file alone, without its
// log, holds them.
func TestCheckpointCopiesTheLogInTheBackground(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "hallway.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ran := make(chan error, 16)
	s.ckpt.ran = func(err error) { ran <- err }
	m := Message{ID: "m1", Conv: "dm:peer", Author: "peer", Text: "kept in the file", SentAt: time.UnixMilli(1000)}
	if _, _, err := s.InsertIncoming(ctx, m); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ran:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no checkpoint after a commit")
	}
	// The file alone, as a backup tool that ignores the log would copy it.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(copyPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Open(ctx, copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok, err := c.MessageByID(ctx, "peer", "m1"); err != nil || !ok {
		t.Fatalf("the database file lacks the committed message: %v, %v", ok, err)
	}
}

// The log is copied seldom while it grows slowly, and soon while it grows
// fast: a transaction of some megabytes makes the next copy come after the
// short pause, a small one after that brings back the long one.
func TestCheckpointPaceFollowsTheLogsGrowth(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	if got := s.ckpt.pause(); got != checkpointPause {
		t.Fatalf("pause of a store just opened %v, want %v", got, checkpointPause)
	}
	if _, err := s.writer.ExecContext(ctx, "CREATE TABLE scratch (b BLOB)"); err != nil {
		t.Fatal(err)
	}
	// Some 5 MiB in one transaction: more pages than checkpointBusyPages.
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for range checkpointBusyPages + 256 {
			if _, err := tx.ExecContext(ctx, "INSERT INTO scratch VALUES (randomblob(4000))"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ckpt.once(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.ckpt.pause(); got != checkpointPauseBusy {
		t.Fatalf("pause after a large transaction %v, want %v", got, checkpointPauseBusy)
	}
	// The log was copied whole: the next transaction starts it afresh.
	if _, err := s.writer.ExecContext(ctx, "INSERT INTO scratch VALUES (x'00')"); err != nil {
		t.Fatal(err)
	}
	if err := s.ckpt.once(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.ckpt.pause(); got != checkpointPause {
		t.Fatalf("pause after a small transaction %v, want %v", got, checkpointPause)
	}
}
