package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// A snapshot taken while a writer keeps committing holds a consistent
// prefix of what was committed, opens as a store and searches.
func TestSnapshotWhileWriting(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	for i := range 200 {
		m := Message{ID: fmt.Sprint(i), Conv: "dm:" + bob, Author: bob, Text: fmt.Sprintf("before snapshot %d", i)}
		if _, _, err := s.InsertIncoming(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; wctx.Err() == nil && i < 100000; i++ {
			m := Message{ID: fmt.Sprint("w", i), Conv: "dm:" + bob, Author: bob, Text: "during the snapshot"}
			if _, _, err := s.InsertIncoming(wctx, m); err != nil && wctx.Err() == nil {
				t.Error(err)
				return
			}
		}
	}()
	path := filepath.Join(t.TempDir(), "snap.db")
	err := s.Snapshot(ctx, path)
	stop()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 { // Windows: no mode bits
		t.Fatalf("snapshot file %v, %v; want mode 0600", fi.Mode(), err)
	}
	info, err := CheckSnapshot(ctx, path)
	migs, _ := embeddedMigrations()
	if err != nil || info.Messages < 200 || info.SchemaVersion != migs[len(migs)-1].version {
		t.Fatalf("CheckSnapshot = %+v, %v", info, err)
	}
	if err := s.Snapshot(ctx, path); err == nil {
		t.Error("a snapshot overwrote an existing file")
	}
	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n, err := c.CountMessages(ctx, "dm:"+bob); err != nil || n != info.Messages {
		t.Errorf("copy holds %d messages, %v; check said %d", n, err, info.Messages)
	}
	if hits, err := c.Search(ctx, SearchQuery{Terms: []string{"snapshot 199"}}); err != nil || len(hits) != 1 {
		t.Errorf("search in the copy: %v, %v", hits, err)
	}
	must(t, c.CheckSearchIndex(ctx))
}

func TestCheckSnapshotRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("this is not a database, just some text of decent length................................."), 0o600)
	if _, err := CheckSnapshot(t.Context(), junk); err == nil {
		t.Error("junk accepted")
	}
	if _, err := CheckSnapshot(t.Context(), filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file accepted")
	}
	s := newTestStore(t)
	path := filepath.Join(dir, "snap.db")
	must(t, s.Snapshot(t.Context(), path))
	b, _ := os.ReadFile(path)
	b[0] ^= 0xff // the header's magic string
	damaged := filepath.Join(dir, "damaged.db")
	os.WriteFile(damaged, b, 0o600)
	if _, err := CheckSnapshot(t.Context(), damaged); err == nil {
		t.Error("a damaged file accepted")
	}
}

func TestHasHistory(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	path := filepath.Join(dir, "hallway.db")
	if has, err := HasHistory(ctx, path); err != nil || has {
		t.Errorf("no file: %v, %v", has, err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if has, err := HasHistory(ctx, path); err != nil || has {
		t.Errorf("empty store: %v, %v", has, err)
	}
	if _, _, err := s.InsertIncoming(ctx, Message{ID: "1", Conv: "dm:" + bob, Author: bob, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if has, err := HasHistory(ctx, path); err != nil || !has {
		t.Errorf("store with a message: %v, %v", has, err)
	}
	s.Close()
	if has, err := HasHistory(ctx, path); err != nil || !has {
		t.Errorf("closed store with a message: %v, %v", has, err)
	}
}
