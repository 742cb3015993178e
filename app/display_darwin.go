package app

// checkDisplay: a macOS login session always has its desktop; no variable
// names it.
func checkDisplay() error { return nil }
