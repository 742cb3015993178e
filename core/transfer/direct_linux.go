package transfer

import (
	"os"

	"golang.org/x/sys/unix"
)

// directAlign is what O_DIRECT asks of offsets, lengths and buffers.
const directAlign = 4096

// setDirect turns direct I/O on or off for f. Writing a received file
// through the page cache costs the receiver more CPU than decrypting it;
// direct writes let the disk take the data from our buffer. Filesystems
// without O_DIRECT refuse, and the caller keeps writing through the cache.
func setDirect(f *os.File, on bool) bool {
	flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0)
	if err != nil {
		return false
	}
	if on {
		flags |= unix.O_DIRECT
	} else {
		flags &^= unix.O_DIRECT
	}
	_, err = unix.FcntlInt(f.Fd(), unix.F_SETFL, flags)
	return err == nil
}
