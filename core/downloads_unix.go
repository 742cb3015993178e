//go:build unix

package core

import (
	"os"
	"path/filepath"
)

// userDownloads is ~/Downloads.
func userDownloads() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "Downloads"), nil
}
