//go:build unix

package files

import (
	"os"
	"syscall"
)

// openForHashing opens without blocking, so a file swapped for a fifo
// after the folder walk is reported instead of hanging the hash forever.
func openForHashing(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// sharedOpenFlags keep a fifo planted in a shared folder from blocking
// the open; the file is refused as not regular right after.
const sharedOpenFlags = syscall.O_NONBLOCK
