package storage

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestOpenReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hallway.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := s.Path(); got != path {
		t.Errorf("Path() = %q, want %q", got, path)
	}
	if err := s.SetSetting(ctx, "profile.name", "Ada"); err != nil {
		t.Fatalf("SetSetting: %v", err)
	}
	if _, _, err := s.InsertIncoming(ctx, Message{ID: "m1", Conv: "dm:p1", Author: "p1", Text: "hi"}); err != nil {
		t.Fatalf("InsertIncoming: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if v, ok, err := s.Setting(ctx, "profile.name"); err != nil || !ok || v != "Ada" {
		t.Errorf("Setting after reopen = %q, %v, %v; want Ada, true, nil", v, ok, err)
	}
	if _, ok, err := s.MessageByID(ctx, "p1", "m1"); err != nil || !ok {
		t.Errorf("MessageByID after reopen = %v, %v; want found", ok, err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Errorf("IntegrityCheck: %v", err)
	}
}

// Two stores on one file stand in for two processes: WAL and busy_timeout
// must let both work, and each must see what the other committed.
func TestOpenTwiceSharesFile(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hallway.db")
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open a: %v", err)
	}
	defer a.Close()
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open b: %v", err)
	}
	defer b.Close()

	if err := a.SetSetting(ctx, "k", "from a"); err != nil {
		t.Fatalf("a.SetSetting: %v", err)
	}
	if v, _, err := b.Setting(ctx, "k"); err != nil || v != "from a" {
		t.Errorf("b.Setting = %q, %v; want %q", v, err, "from a")
	}
	if err := b.SetSetting(ctx, "k", "from b"); err != nil {
		t.Fatalf("b.SetSetting: %v", err)
	}
	if v, _, err := a.Setting(ctx, "k"); err != nil || v != "from b" {
		t.Errorf("a.Setting = %q, %v; want %q", v, err, "from b")
	}
}

func TestOpenUserVersionMatchesMigrations(t *testing.T) {
	s := newTestStore(t)
	migs, err := embeddedMigrations()
	if err != nil {
		t.Fatalf("embeddedMigrations: %v", err)
	}
	var v int
	if err := s.reader.QueryRowContext(t.Context(), "PRAGMA user_version").Scan(&v); err != nil {
		t.Fatalf("user_version: %v", err)
	}
	if v != len(migs) {
		t.Errorf("user_version = %d, want %d", v, len(migs))
	}
}

// Every connection of both pools must carry the settings, not just the first
// one opened, so all connections of each pool are checked at once.
func TestOpenPragmasOnEveryConnection(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	common := map[string]string{
		"journal_mode": "wal",
		"synchronous":  "2",
		"foreign_keys": "1",
		"busy_timeout": "5000",
	}
	tests := []struct {
		name      string
		db        *sql.DB
		conns     int
		queryOnly string
		tempStore string
	}{
		{name: "writer", db: s.writer, conns: 1, queryOnly: "0", tempStore: "2"},
		{name: "reader", db: s.reader, conns: readerConns, queryOnly: "1", tempStore: "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]string{"query_only": tc.queryOnly, "temp_store": tc.tempStore}
			for k, v := range common {
				want[k] = v
			}
			var held []*sql.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for i := range tc.conns {
				c, err := tc.db.Conn(ctx)
				if err != nil {
					t.Fatalf("conn %d: %v", i, err)
				}
				held = append(held, c)
				for pragma, w := range want {
					var got string
					if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
						t.Fatalf("conn %d PRAGMA %s: %v", i, pragma, err)
					}
					if strings.ToLower(got) != w {
						t.Errorf("conn %d PRAGMA %s = %q, want %q", i, pragma, got, w)
					}
				}
			}
		})
	}
}

func TestReaderRefusesWrites(t *testing.T) {
	s := newTestStore(t)
	_, err := s.reader.ExecContext(t.Context(), "INSERT INTO settings (key, value) VALUES ('a', 'b')")
	if err == nil {
		t.Fatal("insert through the reader pool succeeded, want query_only error")
	}
}

func TestOpenFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX permissions")
	}
	s := newTestStore(t)
	// A write makes SQLite create the WAL file, whose mode must follow.
	if err := s.SetSetting(t.Context(), "k", "v"); err != nil {
		t.Fatalf("SetSetting: %v", err)
	}
	for _, name := range []string{s.Path(), s.Path() + "-wal"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatalf("stat: %v", err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode = %v, want 0600", filepath.Base(name), got)
		}
	}
}

func TestOpenPaths(t *testing.T) {
	tests := []struct {
		name    string
		rel     string
		wantErr bool
	}{
		{name: "plain", rel: "hallway.db"},
		{name: "missing directory", rel: filepath.Join("a", "b", "hallway.db")},
		{name: "URI delimiters in name", rel: uriDelimited()},
		{name: "empty", rel: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.rel != "" {
				path = filepath.Join(t.TempDir(), tc.rel)
			}
			s, err := Open(t.Context(), path)
			if tc.wantErr {
				if err == nil {
					s.Close()
					t.Fatal("Open succeeded, want error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%q): %v", path, err)
			}
			defer s.Close()
			if err := s.SetSetting(t.Context(), "k", "v"); err != nil {
				t.Fatalf("SetSetting: %v", err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatalf("database not at the given path: %v", err)
			}
			if fi.Size() == 0 {
				t.Errorf("database file at %q is empty; SQLite wrote elsewhere", path)
			}
		})
	}
}

func TestIntegrityCheckOK(t *testing.T) {
	s := newTestStore(t)
	if err := s.IntegrityCheck(t.Context()); err != nil {
		t.Fatalf("IntegrityCheck on a fresh store: %v", err)
	}
}

// Writers share one connection and readers use their own pool, so concurrent
// use must neither fail with "database is locked" nor lose a write.
func TestConcurrentReadersAndWriters(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	const workers, each = 6, 30
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				m := Message{ID: fmt.Sprintf("w%d-%d", w, i), Conv: "dm:" + bob, Author: bob, Text: "x"}
				if _, _, err := s.InsertIncoming(ctx, m); err != nil {
					errs <- err
					return
				}
			}
		})
		wg.Go(func() {
			for range each {
				if _, err := s.History(ctx, "dm:"+bob, 0, 20); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, err := s.CountMessages(ctx, "dm:"+bob); err != nil || n != workers*each {
		t.Errorf("CountMessages = %d, %v; want %d", n, err, workers*each)
	}
}

// A replicated commit lowers synchronous only for itself: the next durable
// commit, and every reader, see FULL again.
func TestReplicatedCommitRestoresSynchronous(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	var during int
	err := s.inTxWith(ctx, Replicated, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&during)
	})
	if err != nil || during != 1 {
		t.Fatalf("inside a replicated commit synchronous = %d (%v), want 1 (NORMAL)", during, err)
	}
	var after int
	if err := s.writer.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&after); err != nil || after != 2 {
		t.Fatalf("after it synchronous = %d (%v), want 2 (FULL)", after, err)
	}
}

// uriDelimited is a relative path full of URI delimiters; Windows forbids
// '?' in names, so there it has only '#' and '%'.
func uriDelimited() string {
	if runtime.GOOS == "windows" {
		return filepath.Join("we ird #dir%20", "hall way#1.db")
	}
	return filepath.Join("we?ird #dir%20", "hall?way#1.db")
}
