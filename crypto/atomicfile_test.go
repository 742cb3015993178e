package crypto

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	tests := []struct {
		name     string
		existing []byte // nil: no file before the write
		data     []byte
		perm     os.FileMode
	}{
		{name: "new file", data: []byte("hello"), perm: 0o600},
		{name: "replaces existing content", existing: []byte("old and longer content"), data: []byte("new"), perm: 0o600},
		{name: "empty data", existing: []byte("old"), data: []byte{}, perm: 0o600},
		{name: "wider mode is applied exactly", data: []byte("public"), perm: 0o644},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "file")
			if tc.existing != nil {
				if err := os.WriteFile(path, tc.existing, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFileAtomic(path, tc.data, tc.perm); err != nil {
				t.Fatalf("WriteFileAtomic: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.data) {
				t.Errorf("content = %q, want %q", got, tc.data)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			// Windows keeps no mode bits (only read-only): there the data
			// folder's access list keeps files private.
			if runtime.GOOS != "windows" && info.Mode().Perm() != tc.perm {
				t.Errorf("mode = %v, want %v", info.Mode().Perm(), tc.perm)
			}
			assertOnlyEntries(t, dir, "file")
		})
	}
}

func TestWriteFileAtomicFailures(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) string // returns the target path
		wantErr error                                 // nil: any error
	}{
		{
			name: "missing directory",
			setup: func(t *testing.T, dir string) string {
				return filepath.Join(dir, "absent", "file")
			},
			wantErr: fs.ErrNotExist,
		},
		{
			name: "target is a non-empty directory",
			setup: func(t *testing.T, dir string) string {
				target := filepath.Join(dir, "sub")
				if err := os.MkdirAll(filepath.Join(target, "inner"), 0o700); err != nil {
					t.Fatal(err)
				}
				return target
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tc.setup(t, dir)
			err := WriteFileAtomic(path, []byte("data"), 0o600)
			if err == nil {
				t.Fatal("WriteFileAtomic succeeded, want error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error = %v, want it to wrap %v", err, tc.wantErr)
			}
			// A failed write must not leave its temporary file behind.
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if filepath.Ext(e.Name()) == ".partial" {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}

func assertOnlyEntries(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if len(got) != len(want) {
		t.Fatalf("directory holds %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("directory holds %q, want %q", got, want)
		}
	}
}
