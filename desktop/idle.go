package desktop

import "time"

// Idle is the desktop's idle clock.
type Idle interface {
	// Idle is the time since the last keyboard or pointer input anywhere
	// on the desktop, and whether the screen is locked or its saver is on.
	Idle() (since time.Duration, locked bool, err error)
	// Close lets go of the connection to the desktop.
	Close()
}

// OpenIdle returns this desktop's idle clock, or nil and a sentence that
// says why there is none, for the log.
func OpenIdle() (Idle, string) {
	return openIdle()
}
