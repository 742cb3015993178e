package desktop

import "time"

// Idle is the desktop's idle clock.
type Idle interface {
	// Idle is the time since the last keyboard or pointer input anywhere
	// on the desktop, and whether the screen is locked or its saver is on.
	//
	// A source that learns of idleness from events rather than a clock
	// (the Wayland compositor's idle protocol) reports 0 until the user
	// has been quiet for its threshold, then the threshold plus the time
	// since: never more than the true idle time, and at least any
	// duration of the threshold or longer once the user has been quiet
	// that long. A caller that turns the user away after a duration
	// shorter than the threshold must not rely on such a source.
	Idle() (since time.Duration, locked bool, err error)
	// Close lets go of the connection to the desktop.
	Close()
}

// LockTeller is implemented by the sources that may not know whether the
// screen is locked: TellsLock false means locked is always false. A
// source without the method tells.
type LockTeller interface {
	TellsLock() bool
}

// OpenIdle returns this desktop's idle clock, or nil and a sentence that
// says why there is none, for the log.
func OpenIdle() (Idle, string) {
	return openIdle()
}
