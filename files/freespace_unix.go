//go:build unix

package files

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// FreeSpace is the number of bytes an unprivileged user may still write on
// the volume holding the downloads folder.
func (d *Downloads) FreeSpace() (uint64, error) {
	// Asking through the root's own directory handle measures the folder
	// actually in use, even if its path was replaced meanwhile.
	f, err := d.root.Open(".")
	if err != nil {
		return 0, fmt.Errorf("free space of %s: %w", d.dir, err)
	}
	defer f.Close()
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", d.dir, err)
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

// FreeSpaceAt is the number of bytes an unprivileged user may still write
// on the volume holding dir.
func FreeSpaceAt(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

// Volume identifies the volume holding dir, so that downloads into
// folders on one disk are counted against that disk's free space
// together; ok is false when dir cannot be read.
func Volume(dir string) (id uint64, ok bool) {
	fi, err := os.Stat(dir)
	if err != nil {
		return 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Dev), true
}
