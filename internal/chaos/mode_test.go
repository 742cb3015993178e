package chaos

import (
	"os"
	"testing"
	"time"

	"hallway/internal/netlab"
)

// soak reports whether the full forms run (make soak): the durations and
// volumes of the threat model instead of the short forms of make test.
func soak() bool { return os.Getenv("HALLWAY_SOAK") != "" }

// pick returns the short form's value, or the full form's under soak.
func pick[T any](short, full T) T {
	if soak() {
		return full
	}
	return short
}

// lab builds a lab of n hosts, skipping without namespaces.
func lab(t *testing.T, n int) *netlab.Lab { return netlab.New(t, n) }

// deadline bounds a whole scenario: generous, since a loaded 2-core
// machine is slow, and only a hang should ever reach it.
func deadline(short, full time.Duration) time.Duration { return pick(short, full) }
