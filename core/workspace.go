package core

import (
	"fmt"
	"path/filepath"

	hcrypto "hallway/crypto"
)

// Workspace keys live in the data folder in kubo's swarm.key format, so
// they act on the folder whether or not Hallway runs; a running service
// keeps the key it opened with (package node switches it by reopening).

// ReadWorkspaceKey returns the data folder's workspace key, or ok=false for
// an open LAN workspace.
func ReadWorkspaceKey(dir string) (hcrypto.WorkspaceKey, bool, error) {
	k, ok, err := hcrypto.LoadWorkspaceKey(filepath.Join(dir, workspaceFile))
	if err != nil {
		return k, false, userErrorf("the workspace key in %s is unreadable: %v", dir, err)
	}
	return k, ok, nil
}

// WriteWorkspaceKey makes the data folder use k. Replacing a different key
// needs force: colleagues on the old key would no longer be reachable.
func WriteWorkspaceKey(dir string, k hcrypto.WorkspaceKey, force bool) error {
	if err := ensureDataDir(dir); err != nil {
		return err
	}
	old, ok, err := ReadWorkspaceKey(dir)
	if err != nil && !force {
		return err
	}
	if ok && old != k && !force {
		return userErrorf("this Hallway is already in private workspace %s; add --force to leave it for another", old.Tag())
	}
	if err := hcrypto.WriteWorkspaceKey(filepath.Join(dir, workspaceFile), k); err != nil {
		return fmt.Errorf("write workspace key: %w", err)
	}
	return nil
}
