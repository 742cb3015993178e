//go:build unix

package files

import (
	"fmt"

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
