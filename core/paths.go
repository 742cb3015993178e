package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Files inside the data folder.
const (
	identityFile  = "identity.key"
	workspaceFile = "swarm.key"
	// workspaceRecordFile remembers the folder is in a private workspace.
	workspaceRecordFile = "workspace.private"
	// workspaceRoomFile names the private workspace's room of admins and
	// policy (core/workspace_room.go).
	workspaceRoomFile = "workspace.room"
	// workspacePassFile keeps a pass code until our log of the workspace
	// room counts us in (core/pass.go).
	workspacePassFile = "workspace.pass"
	// codeAddrsFile keeps the addresses the code we joined with named,
	// until the Hallway at each is saved as a colleague (core/codeaddrs.go).
	codeAddrsFile = "code.addrs"
	// networkKeyFile holds a rotated network key (core/netkey_file.go).
	networkKeyFile = "network.key"
	databaseFile   = "hallway.db"
	lockFile       = "hallway.lock"
	// SocketFile is the control API's Unix socket; on Windows its path
	// names the control pipe instead (see control/endpoint_windows.go).
	SocketFile = "control.sock"
)

// DefaultDataDir is where Hallway keeps its data when neither --data nor
// HALLWAY_DATA says otherwise: $XDG_DATA_HOME/hallway on Linux,
// %AppData%\Hallway on Windows.
func DefaultDataDir() (string, error) {
	if d := os.Getenv("HALLWAY_DATA"); d != "" {
		return d, nil
	}
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" {
		if x := os.Getenv("XDG_DATA_HOME"); x != "" {
			return filepath.Join(x, "hallway"), nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home folder to keep data in (set --data or HALLWAY_DATA): %w", err)
		}
		return filepath.Join(home, ".local", "share", "hallway"), nil
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no per-user folder to keep data in (set --data or HALLWAY_DATA): %w", err)
	}
	return filepath.Join(cfg, "Hallway"), nil
}

// ensureDataDir creates dir owner-only, and tightens an existing one: it
// holds the identity key and the history.
func ensureDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data folder %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data folder %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return errors.New("data folder " + dir + " is not a folder")
	}
	return makePrivate(dir, fi)
}

// SocketPath is the control socket of the Hallway that uses dir.
func SocketPath(dir string) string { return filepath.Join(dir, SocketFile) }

// defaultDownloads is the Hallway folder in the user's Downloads folder.
func defaultDownloads() string {
	d, err := userDownloads()
	if err != nil {
		return filepath.Join(os.TempDir(), "Hallway downloads")
	}
	return filepath.Join(d, "Hallway")
}
