package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// RemoveWorkspaceKey makes the data folder use the open LAN workspace
// again; a running service keeps its key until it is reopened.
func RemoveWorkspaceKey(dir string) error {
	err := os.Remove(filepath.Join(dir, workspaceFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove workspace key: %w", err)
	}
	return nil
}
