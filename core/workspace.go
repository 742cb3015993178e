package core

import (
	"fmt"
	"path/filepath"

	"hallway/chat"
	hcrypto "hallway/crypto"
)

// Workspace keys live in the data folder in kubo's swarm.key format, so
// they act on the folder whether or not Hallway runs; a running service
// keeps the key it opened with (package node switches it by reopening).

// ReadWorkspaceKey returns the data folder's workspace key, or ok=false for
// an open LAN workspace. A folder that records a private workspace but has
// lost its key is an error, never the open LAN.
func ReadWorkspaceKey(dir string) (hcrypto.WorkspaceKey, bool, error) {
	k, ok, err := hcrypto.LoadWorkspaceKey(filepath.Join(dir, workspaceFile))
	if err == nil && ok {
		return k, true, nil
	}
	if tag, private, rerr := readWorkspaceRecord(dir); rerr != nil {
		return k, false, rerr
	} else if private {
		return k, false, missingKeyError(dir, tag, err, false)
	}
	if err != nil {
		return k, false, chat.UserErrorf("the workspace key in %s is unreadable: %v", dir, err)
	}
	return k, false, nil
}

// WriteWorkspaceKey makes the data folder use k. Replacing a different key
// needs force: colleagues on the old key would no longer be reachable.
func WriteWorkspaceKey(dir string, k hcrypto.WorkspaceKey, force bool) error {
	if err := ensureDataDir(dir); err != nil {
		return err
	}
	if !force {
		if err := CheckWorkspaceKey(dir, k); err != nil {
			return err
		}
	}
	// The record goes first: a crash in between leaves a record without a
	// key, which refuses to start rather than opening the open LAN.
	if err := writeWorkspaceRecord(dir, k.Tag()); err != nil {
		return err
	}
	if err := hcrypto.WriteWorkspaceKey(filepath.Join(dir, workspaceFile), k); err != nil {
		return fmt.Errorf("write workspace key: %w", err)
	}
	return nil
}

// CheckWorkspaceKey reports whether k may replace the data folder's
// workspace key without force: the folder is open, already uses k, or
// records k's workspace but lost or damaged its key file.
func CheckWorkspaceKey(dir string, k hcrypto.WorkspaceKey) error {
	old, ok, err := ReadWorkspaceKey(dir)
	if err != nil {
		if tag, private, rerr := readWorkspaceRecord(dir); rerr == nil && private && tag == k.Tag() {
			return nil // the same workspace: this repairs its key
		}
		return err
	}
	if ok && old != k {
		return chat.UserErrorf("this Hallway is already in private workspace %s; add --force to leave it for another", old.Tag())
	}
	return nil
}
