package transfer

import (
	"os"

	"golang.org/x/sys/unix"
)

// directAlign is the alignment the callers keep for direct writes; macOS
// asks none of F_NOCACHE, but keeping Linux's makes the paths the same.
const directAlign = 4096

// setDirect turns the page cache off or on for f: macOS has no O_DIRECT,
// F_NOCACHE is its equivalent for a file already open.
func setDirect(f *os.File, on bool) bool {
	v := 0
	if on {
		v = 1
	}
	_, err := unix.FcntlInt(f.Fd(), unix.F_NOCACHE, v)
	return err == nil
}
