//go:build windows

package desktop

import "testing"

// Windows always has a session idle clock.
func TestWindowsIdle(t *testing.T) {
	src, why := OpenIdle()
	if src == nil {
		t.Fatalf("no idle source: %s", why)
	}
	defer src.Close()
	since, locked, err := src.Idle()
	if err != nil || since < 0 || locked {
		t.Fatalf("idle %v locked %v err %v", since, locked, err)
	}
}
