package storage

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// openAtVersion creates a database at path whose schema stops at version n,
// as an older Hallway would have left it, so that every later migration can
// be exercised starting from every earlier schema.
func openAtVersion(t *testing.T, path string, n int) *sql.DB {
	t.Helper()
	migs, err := embeddedMigrations()
	if err != nil {
		t.Fatalf("embeddedMigrations: %v", err)
	}
	if err := createFile(path); err != nil {
		t.Fatalf("createFile: %v", err)
	}
	db, err := openDB(t.Context(), path, false)
	if err != nil {
		t.Fatalf("openDB: %v", err)
	}
	if err := migrate(t.Context(), db, migs, n); err != nil {
		db.Close()
		t.Fatalf("migrate to %d: %v", n, err)
	}
	return db
}

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRowContext(t.Context(), "PRAGMA user_version").Scan(&v); err != nil {
		t.Fatalf("user_version: %v", err)
	}
	return v
}

func TestMigrateFromEveryVersion(t *testing.T) {
	migs, err := embeddedMigrations()
	if err != nil {
		t.Fatalf("embeddedMigrations: %v", err)
	}
	for from := 0; from <= len(migs); from++ {
		t.Run(migrationName(migs, from), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hallway.db")
			db := openAtVersion(t, path, from)
			if got := userVersion(t, db); got != from {
				t.Fatalf("user_version = %d, want %d", got, from)
			}
			for v := 1; v <= from; v++ {
				if f, ok := fixtures[v]; ok {
					f.seed(t, db)
				}
			}
			if err := db.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}

			s, err := Open(t.Context(), path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if got := userVersion(t, s.reader); got != len(migs) {
				t.Errorf("user_version after Open = %d, want %d", got, len(migs))
			}
			if err := s.IntegrityCheck(t.Context()); err != nil {
				t.Errorf("IntegrityCheck: %v", err)
			}
			for v := 1; v <= from; v++ {
				if f, ok := fixtures[v]; ok {
					f.check(t, s)
				}
			}
		})
	}
}

func migrationName(migs []migration, version int) string {
	if version == 0 {
		return "from empty"
	}
	return "from " + migs[version-1].name
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name      string
		files     fstest.MapFS
		wantNames []string
		wantErr   string
	}{
		{
			name: "sorted numerically, other files ignored",
			files: fstest.MapFS{
				"m/0002_b.sql":  file("SELECT 2"),
				"m/0010_j.sql":  file("SELECT 10"),
				"m/0001_a.sql":  file("SELECT 1"),
				"m/README.md":   file("notes"),
				"m/0003_c.sql":  file("SELECT 3"),
				"m/0004_d.sql":  file("SELECT 4"),
				"m/0005_e.sql":  file("SELECT 5"),
				"m/0006_f.sql":  file("SELECT 6"),
				"m/0007_g.sql":  file("SELECT 7"),
				"m/0008_h.sql":  file("SELECT 8"),
				"m/0009_i.sql":  file("SELECT 9"),
				"m/sub/x.sql":   file("SELECT 0"),
				"m/0011_k.sql":  file("SELECT 11"),
				"m/0012_l.sql":  file("SELECT 12"),
				"m/0013_mm.sql": file("SELECT 13"),
			},
			wantNames: []string{"0001_a.sql", "0002_b.sql", "0003_c.sql", "0004_d.sql", "0005_e.sql",
				"0006_f.sql", "0007_g.sql", "0008_h.sql", "0009_i.sql", "0010_j.sql", "0011_k.sql",
				"0012_l.sql", "0013_mm.sql"},
		},
		{name: "gap", files: fstest.MapFS{"m/0001_a.sql": file(""), "m/0003_c.sql": file("")}, wantErr: "expected version 2"},
		{name: "repeat", files: fstest.MapFS{"m/0001_a.sql": file(""), "m/0001_b.sql": file("")}, wantErr: "expected version 2"},
		{name: "not starting at one", files: fstest.MapFS{"m/0002_b.sql": file("")}, wantErr: "expected version 1"},
		{name: "no underscore", files: fstest.MapFS{"m/0001.sql": file("")}, wantErr: "NNNN_description"},
		{name: "not a number", files: fstest.MapFS{"m/one_a.sql": file("")}, wantErr: "bad version"},
		{name: "zero", files: fstest.MapFS{"m/0000_a.sql": file("")}, wantErr: "bad version"},
		{name: "none", files: fstest.MapFS{"m/README.md": file("")}, wantErr: "none found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			migs, err := loadMigrations(tc.files, "m")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("loadMigrations: %v", err)
			}
			var names []string
			for _, m := range migs {
				names = append(names, m.name)
			}
			if strings.Join(names, ",") != strings.Join(tc.wantNames, ",") {
				t.Errorf("names = %v, want %v", names, tc.wantNames)
			}
		})
	}
}

// A step that fails must leave the database exactly at the previous version:
// no half-created tables, no version bump.
func TestMigrateFailedStepRollsBack(t *testing.T) {
	good := migration{version: 1, name: "0001_a.sql", sql: `CREATE TABLE a (x INTEGER PRIMARY KEY) STRICT;`}
	tests := []struct {
		name    string
		step2   string
		wantErr string
	}{
		{
			name:    "syntax error after a statement that worked",
			step2:   `CREATE TABLE b (x INTEGER) STRICT; THIS IS NOT SQL;`,
			wantErr: "0002_b.sql",
		},
		{
			name: "dangling foreign key",
			step2: `CREATE TABLE b (x INTEGER REFERENCES a (x)) STRICT;
			        INSERT INTO b (x) VALUES (42);`,
			wantErr: "foreign key",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			migs := []migration{good, {version: 2, name: "0002_b.sql", sql: tc.step2}}
			path := filepath.Join(t.TempDir(), "hallway.db")
			if err := createFile(path); err != nil {
				t.Fatal(err)
			}
			db, err := openDB(t.Context(), path, false)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = migrate(t.Context(), db, migs, 2)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("migrate err = %v, want one containing %q", err, tc.wantErr)
			}
			if got := userVersion(t, db); got != 1 {
				t.Errorf("user_version = %d, want 1", got)
			}
			var n int
			if err := db.QueryRowContext(t.Context(),
				`SELECT count(*) FROM sqlite_schema WHERE name = 'b'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Error("table b exists after the failed step")
			}
			var fk int
			if err := db.QueryRowContext(t.Context(), "PRAGMA foreign_keys").Scan(&fk); err != nil {
				t.Fatal(err)
			}
			if fk != 1 {
				t.Error("foreign keys left disabled on the writer after a failed migration")
			}
		})
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	migs, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hallway.db")
	db := openAtVersion(t, path, len(migs))
	if _, err := db.ExecContext(t.Context(), "PRAGMA user_version = 9999"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(t.Context(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded on a schema from the future")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("err = %v, want it to mention the newer schema", err)
	}
}
