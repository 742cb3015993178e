//go:build !linux

package netlab

import "errors"

// Do cannot enter a network namespace outside Linux.
func (h *Host) Do(fn func() error) error {
	return errors.New("netlab: network namespaces need Linux")
}
