//go:build unix && !darwin

package app

import "os"

// checkDisplay: an X11 or Wayland session is named in the environment.
func checkDisplay() error {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return ErrNoDisplay
	}
	return nil
}
