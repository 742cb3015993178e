//go:build windows

package app

// checkDisplay: a Windows session always has a desktop to draw on; a
// service without one fails when the window is created instead.
func checkDisplay() error { return nil }
