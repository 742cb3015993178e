//go:build !linux && !darwin

package transfer

import "os"

// directAlign keeps chunk buffers aligned as on Linux.
const directAlign = 4096

// setDirect reports that direct writes are off: received files go through
// the system cache (on Windows FILE_FLAG_NO_BUFFERING can only be chosen
// when a file is opened, not toggled for a short last chunk). Durability
// does not depend on it: every progress record is preceded by a sync of
// the files it covers (job.save).
func setDirect(*os.File, bool) bool { return false }
