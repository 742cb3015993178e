package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema step; applying migrations[i] moves the database
// from user_version i to i+1.
type migration struct {
	version int
	name    string
	sql     string
}

func embeddedMigrations() ([]migration, error) {
	return loadMigrations(migrationFiles, "migrations")
}

// loadMigrations reads NNNN_name.sql files from dir and insists on versions
// 1..N with no gap or repeat: a missing file would otherwise silently shift
// every later step onto the wrong schema.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	var migs []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok {
			return nil, fmt.Errorf("load migrations: %s: name must be NNNN_description.sql", e.Name())
		}
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("load migrations: %s: bad version number %q", e.Name(), num)
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("load migrations: %w", err)
		}
		migs = append(migs, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })
	for i, m := range migs {
		if m.version != i+1 {
			return nil, fmt.Errorf("load migrations: %s: expected version %d", m.name, i+1)
		}
	}
	if len(migs) == 0 {
		return nil, errors.New("load migrations: none found")
	}
	return migs, nil
}

// migrate applies migs in order until the database is at version target
// (never downgrading). Each step runs in its own transaction together with
// the user_version bump, so a crash leaves the database at a whole version.
//
// The version is read inside each transaction, after the write lock is taken,
// so two processes opening a fresh file at once cannot both apply a step.
//
// Foreign key enforcement is switched off on the migrating connection while
// steps run, because rebuilding a referenced table (SQLite's way to alter a
// column) would otherwise cascade deletes; each step must instead leave no
// dangling reference, which is checked before it commits.
func migrate(ctx context.Context, db *sql.DB, migs []migration, target int) (err error) {
	if target > len(migs) {
		return fmt.Errorf("migrate: target version %d beyond the %d known", target, len(migs))
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("migrate: disable foreign keys: %w", err)
	}
	defer func() {
		// The connection goes back to the pool, so enforcement must be
		// restored even when ctx has been cancelled.
		_, ferr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON")
		if ferr != nil && err == nil {
			err = fmt.Errorf("migrate: enable foreign keys: %w", ferr)
		}
	}()
	for {
		done, err := migrateStep(ctx, conn, migs, target)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

func migrateStep(ctx context.Context, conn *sql.Conn, migs []migration, target int) (done bool, err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() {
		if err != nil || done {
			tx.Rollback()
		}
	}()
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return false, fmt.Errorf("migrate: read version: %w", err)
	}
	if current > len(migs) {
		return false, fmt.Errorf("migrate: database schema version %d is newer than this build supports (%d)", current, len(migs))
	}
	if current >= target {
		return true, nil
	}
	m := migs[current]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migrate: apply %s: %w", m.name, err)
	}
	if err := checkForeignKeys(ctx, tx); err != nil {
		return false, fmt.Errorf("migrate: apply %s: %w", m.name, err)
	}
	// PRAGMA does not take bound parameters; m.version is an int we parsed.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return false, fmt.Errorf("migrate: set version %d: %w", m.version, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate: commit %s: %w", m.name, err)
	}
	return false, nil
}

func checkForeignKeys(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		var table string
		var rowid sql.NullInt64
		var parent string
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("foreign key check: %w", err)
		}
		return fmt.Errorf("foreign key check: row %d of %s references missing %s", rowid.Int64, table, parent)
	}
	return rows.Err()
}
