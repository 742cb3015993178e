//go:build !unix

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
