//go:build !unix

package files

import "os"

// openForHashing is plain os.Open where fifos cannot stall a reader.
func openForHashing(path string) (*os.File, error) {
	return os.Open(path)
}

// sharedOpenFlags: no extra flags where fifos cannot stall a reader.
const sharedOpenFlags = 0
