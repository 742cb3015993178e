package storage

import (
	"context"
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
