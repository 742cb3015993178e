//go:build !windows

package files

import "os"

// syncFolder makes the names in a folder durable (fsync of the folder).
func syncFolder(f *os.File) error { return f.Sync() }
