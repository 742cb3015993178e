package storage

import (
	"path/filepath"
	"testing"
)

// newTestStore opens a fresh store in its own temporary directory and closes
// it when the test ends.
func newTestStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "hallway.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}
