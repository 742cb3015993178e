//go:build skewclock

package people

import (
	"os"
	"time"
)

// A build with the skewclock tag plays a colleague whose computer's clock
// is off by $HALLWAY_TEST_CLOCK_SKEW (a duration like 1h or -90m), for
// tests of hallway doctor. Release builds never carry it.
func init() {
	if d, err := time.ParseDuration(os.Getenv("HALLWAY_TEST_CLOCK_SKEW")); err == nil {
		wallClock = func() time.Time { return time.Now().Add(d) }
	}
}
