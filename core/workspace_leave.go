package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// RemoveWorkspaceKey makes the data folder use the open LAN workspace
// again, clearing the record of its private workspace; a running service
// keeps its key until it is reopened.
func RemoveWorkspaceKey(dir string) error {
	if err := removeIfPresent(dir, workspaceFile, "workspace key"); err != nil {
		return err
	}
	if err := removeWorkspaceRoom(dir); err != nil {
		return err
	}
	if err := removeNetworkKeys(dir); err != nil {
		return err
	}
	// The key goes first: a crash in between leaves a record without a
	// key, which refuses to start until leave runs again.
	return removeWorkspaceRecord(dir)
}

// removeIfPresent removes the file name of dir, what it holds, unless it
// is not there.
func removeIfPresent(dir, name, what string) error {
	err := os.Remove(filepath.Join(dir, name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", what, err)
	}
	return nil
}
