package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"hallway/chat"
	hcrypto "hallway/crypto"
)

// The workspace record is a small file next to the key that remembers the
// data folder belongs to a private workspace. It holds the workspace's
// public tag, never the key. A file rather than a setting in the history
// database: it is read before the database opens, and the command line
// writes and clears it whether or not Hallway runs, just like the key.
//
// With the record present, a missing or unreadable key stops the node
// instead of letting it fall back to the open LAN workspace, where
// #general is shared with any network the computer joins.

// readWorkspaceRecord returns the tag the data folder records, or
// ok=false when it records no private workspace.
func readWorkspaceRecord(dir string) (tag string, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, workspaceRecordFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read workspace record: %w", err)
	}
	// An unreadable record still says private: failing closed is the point.
	return strings.TrimSpace(string(b)), true, nil
}

// writeWorkspaceRecord records that dir belongs to the private workspace
// tag, atomically and readable only by its owner.
func writeWorkspaceRecord(dir, tag string) error {
	if err := hcrypto.WriteFileAtomic(filepath.Join(dir, workspaceRecordFile), []byte(tag+"\n"), 0o600); err != nil {
		return fmt.Errorf("write workspace record: %w", err)
	}
	return nil
}

// removeWorkspaceRecord clears the record: dir may use the open LAN.
func removeWorkspaceRecord(dir string) error {
	return removeIfPresent(dir, workspaceRecordFile, "workspace record")
}

// loadWorkspace returns the key the service in dir opens with, or nil for
// the open LAN workspace. It refuses when the folder records a private
// workspace whose key is missing or unreadable, and records the workspace
// of a key found without a record (a folder from before the record).
func loadWorkspace(dir string) (*hcrypto.WorkspaceKey, error) {
	tag, private, err := readWorkspaceRecord(dir)
	if err != nil {
		return nil, err
	}
	k, ok, err := hcrypto.LoadWorkspaceKey(filepath.Join(dir, workspaceFile))
	if private && (err != nil || !ok) {
		return nil, missingKeyError(dir, tag, err, true)
	}
	if err != nil {
		return nil, fmt.Errorf("workspace key: %w", err)
	}
	if !ok {
		return nil, nil
	}
	if !private || tag != k.Tag() {
		if err := writeWorkspaceRecord(dir, k.Tag()); err != nil {
			return nil, err
		}
	}
	return &k, nil
}

// missingKeyError is what a person sees when the key of the recorded
// private workspace is gone or damaged.
// At start it says Hallway did not start.
func missingKeyError(dir, tag string, keyErr error, starting bool) error {
	if tag == "" {
		tag = "(tag unknown)"
	}
	what := "is missing"
	if keyErr != nil {
		what = fmt.Sprintf("is unreadable (%v)", keyErr)
	}
	prefix := ""
	if starting {
		prefix = "Hallway did not start: "
	}
	return chat.UserErrorf("%sthis computer belongs to private workspace %s, but its key file %s %s. "+
		"Hallway will not fall back to the open LAN workspace, where #general is visible to every network this computer joins. "+
		"Restore %s from a backup, or join again with an invite code (`hallway workspace join CODE`), "+
		"or, to use the open LAN workspace on purpose, run `hallway workspace leave`.",
		prefix, tag, filepath.Join(dir, workspaceFile), what, workspaceFile)
}
