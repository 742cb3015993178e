//go:build !linux && !darwin

package transfer

import "os"

const directAlign = 4096

func setDirect(*os.File, bool) bool { return false }
