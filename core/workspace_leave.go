package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// RemoveWorkspaceKey makes the data folder use the open LAN workspace
// again; the running node switches after a restart.
func RemoveWorkspaceKey(dir string) error {
	err := os.Remove(filepath.Join(dir, workspaceFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove workspace key: %w", err)
	}
	return nil
}
