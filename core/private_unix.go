//go:build unix

package core

import (
	"fmt"
	"os"
)

// makePrivate leaves dir readable by its owner only: mode 0700, tightened
// when it was created looser.
func makePrivate(dir string, fi os.FileInfo) error {
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("make data folder %s private: %w", dir, err)
	}
	return nil
}
