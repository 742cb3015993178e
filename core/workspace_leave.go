package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// RemoveWorkspaceKey makes the data folder use the open LAN workspace
// again, clearing the record of its private workspace; a running service
// keeps its key until it is reopened.
func RemoveWorkspaceKey(dir string) error {
	err := os.Remove(filepath.Join(dir, workspaceFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove workspace key: %w", err)
	}
	if err := removeWorkspaceRoom(dir); err != nil {
		return err
	}
	// The key goes first: a crash in between leaves a record without a
	// key, which refuses to start until leave runs again.
	return removeWorkspaceRecord(dir)
}
