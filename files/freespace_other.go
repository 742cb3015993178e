//go:build !unix && !windows

package files

import (
	"errors"
	"fmt"
)

// FreeSpace is only implemented on Unix; elsewhere it reports
// errors.ErrUnsupported and callers should pass a free-space figure they
// obtained another way to Policy.Check.
func (d *Downloads) FreeSpace() (uint64, error) {
	return 0, fmt.Errorf("free space of %s: %w", d.dir, errors.ErrUnsupported)
}

// Volume cannot tell volumes apart here: every folder counts as one
// volume, which reserves free space too much rather than too little.
func Volume(dir string) (id uint64, ok bool) { return 0, false }

// FreeSpaceAt is only implemented on Unix and Windows.
func FreeSpaceAt(dir string) (uint64, error) {
	return 0, fmt.Errorf("free space of %s: %w", dir, errors.ErrUnsupported)
}
