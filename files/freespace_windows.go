//go:build windows

package files

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// FreeSpace is the number of bytes the user may still write on the volume
// holding the downloads folder (quotas included).
func (d *Downloads) FreeSpace() (uint64, error) {
	return FreeSpaceAt(d.dir)
}

// FreeSpaceAt is the number of bytes the user may still write on the
// volume holding dir.
func FreeSpaceAt(dir string) (uint64, error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	var avail uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, nil, nil); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	return avail, nil
}

// Volume identifies the volume holding dir by its serial number, so that
// downloads into folders on one disk are counted against that disk's free
// space together; ok is false when dir cannot be read.
func Volume(dir string) (id uint64, ok bool) {
	if _, err := os.Stat(dir); err != nil {
		return 0, false
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return 0, false
	}
	p, err := windows.UTF16PtrFromString(abs)
	if err != nil {
		return 0, false
	}
	root := make([]uint16, windows.MAX_PATH+1)
	if err := windows.GetVolumePathName(p, &root[0], uint32(len(root))); err != nil {
		return 0, false
	}
	var serial uint32
	if err := windows.GetVolumeInformation(&root[0], nil, 0, &serial, nil, nil, nil, 0); err != nil {
		return 0, false
	}
	return uint64(serial), true
}
