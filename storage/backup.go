package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Snapshot writes a consistent copy of the whole database to path, a file
// that must not exist yet, while the store stays in use. The copy is taken
// inside one read transaction on a connection of its own (VACUUM INTO), so
// it holds exactly the commits made before it began, and writers carry on
// meanwhile, as WAL lets a reader and a writer work side by side. The copy
// is created owner-only (0600) and is compact: free pages are left out.
func (s *Store) Snapshot(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("storage: snapshot: %w", err)
	}
	// VACUUM INTO accepts an empty file, and creating it here is what
	// makes it owner-only from the start.
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("storage: snapshot: %w", err)
	}
	f.Close()
	db, err := openDB(ctx, s.path, false)
	if err == nil {
		_, err = db.ExecContext(ctx, `VACUUM INTO ?`, abs)
		db.Close()
	}
	if err != nil {
		os.Remove(abs)
		return fmt.Errorf("storage: snapshot to %s: %w", path, err)
	}
	return nil
}

// SnapshotInfo describes a database file checked by CheckSnapshot.
type SnapshotInfo struct {
	SchemaVersion int
	Messages      int
	Rooms         int
}

// CheckSnapshot opens the database file at path without changing it and
// checks that it is a sound Hallway history this build can use: SQLite's
// integrity check passes and its schema is not newer than this build's.
func CheckSnapshot(ctx context.Context, path string) (SnapshotInfo, error) {
	var info SnapshotInfo
	abs, err := filepath.Abs(path)
	if err != nil {
		return info, fmt.Errorf("storage: check %s: %w", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return info, fmt.Errorf("storage: check %s: %w", path, err)
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	// immutable: nobody else writes this file, so SQLite needs neither
	// locks nor the -wal and -shm files beside it.
	u := url.URL{Scheme: "file", Path: p, RawQuery: "immutable=1&mode=ro"}
	db, err := sql.Open(driverName, u.String())
	if err != nil {
		return info, fmt.Errorf("storage: check %s: %w", path, err)
	}
	defer db.Close()
	var problems []string
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return info, fmt.Errorf("storage: check %s: not a Hallway history: %w", path, err)
	}
	problems, err = scanAll(rows, "integrity check", scanString)
	if err != nil {
		return info, fmt.Errorf("storage: check %s: %w", path, err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return info, fmt.Errorf("storage: check %s: damaged: %s", path, strings.Join(problems, "; "))
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&info.SchemaVersion); err != nil {
		return info, fmt.Errorf("storage: check %s: %w", path, err)
	}
	migs, err := embeddedMigrations()
	if err != nil {
		return info, err
	}
	if info.SchemaVersion > len(migs) {
		return info, fmt.Errorf("storage: check %s: written by a newer Hallway (schema %d, this one knows %d)", path, info.SchemaVersion, len(migs))
	}
	if info.SchemaVersion < 1 {
		return info, errors.New("storage: check " + path + ": not a Hallway history")
	}
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM rooms)`).Scan(&info.Messages, &info.Rooms)
	if err != nil {
		return info, fmt.Errorf("storage: check %s: not a Hallway history: %w", path, err)
	}
	return info, nil
}

// HasHistory reports whether the database at path exists and holds any
// message or room, that is, whether replacing it would lose history. The
// caller must make sure no Hallway has it open. A file that cannot be read
// counts as history: it may still be someone's.
func HasHistory(ctx context.Context, path string) (bool, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("storage: %w", err)
	}
	if fi.Size() == 0 {
		if wal, err := os.Stat(path + "-wal"); err != nil || wal.Size() == 0 {
			return false, nil
		}
	}
	// An ordinary reader, so that commits still in the WAL count too.
	db, err := openDB(ctx, path, true)
	if err != nil {
		return true, nil
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM rooms)`).Scan(&n); err != nil {
		return true, nil
	}
	return n > 0, nil
}
