//go:build !unix

package benchenv

import "time"

// CPUTime is not measured here.
func CPUTime() time.Duration { return 0 }
