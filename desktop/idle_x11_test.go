//go:build linux

package desktop

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/screensaver"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
)

// startXvfb runs a virtual X server and returns its display.
func startXvfb(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Skip("X11 idle test: Xvfb is missing (make deps-test installs it)")
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "640x480x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{pw}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	pw.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(pr).ReadString('\n')
		line <- strings.TrimSpace(s)
		pr.Close()
	}()
	select {
	case n := <-line:
		if _, err := strconv.Atoi(n); err != nil {
			t.Fatalf("Xvfb gave no display number (%q)", n)
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start within 20 s")
		return ""
	}
}

// saverState waits for the screen saver to turn to want, as the X
// server announces it.
func saverState(t *testing.T, events <-chan byte, want byte) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case s, ok := <-events:
			if !ok {
				t.Fatal("X connection closed")
			}
			if s == want {
				return
			}
		case <-deadline:
			t.Fatalf("the screen saver did not turn to state %d within 20 s", want)
		}
	}
}

// The X11 source reads the idle time and the saver's state from a real X
// server: quiet turns the saver on (the source says locked, and idle for
// at least the saver's timeout), and synthetic input through XTEST turns
// it off and resets the idle time.
func TestX11IdleUnderXvfb(t *testing.T) {
	display := startXvfb(t)
	src, err := OpenX11(display)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	// A second client plays the user and the session's screen locker.
	drv, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close()
	if err := screensaver.Init(drv); err != nil {
		t.Fatal(err)
	}
	if err := xtest.Init(drv); err != nil {
		t.Skipf("X11 idle test: Xvfb has no XTEST: %v", err)
	}
	root := xproto.Setup(drv).DefaultScreen(drv).Root
	events := make(chan byte, 16)
	go func() {
		defer close(events)
		for {
			ev, err := drv.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			if n, ok := ev.(screensaver.NotifyEvent); ok {
				events <- n.State
			}
		}
	}()
	if err := screensaver.SelectInputChecked(drv, xproto.Drawable(root), screensaver.EventNotifyMask).Check(); err != nil {
		t.Fatal(err)
	}
	const timeout = 2 // seconds, the shortest the test can wait for
	if err := xproto.SetScreenSaverChecked(drv, timeout, 0, xproto.BlankingNotPreferred, xproto.ExposuresAllowed).Check(); err != nil {
		t.Fatal(err)
	}

	saverState(t, events, screensaver.StateOn)
	quiet, locked, err := src.Idle()
	if err != nil {
		t.Fatal(err)
	}
	if !locked || quiet < timeout*time.Second {
		t.Fatalf("saver on: idle %v locked %v, want >= %ds and locked", quiet, locked, timeout)
	}

	if err := xtest.FakeInputChecked(drv, xproto.MotionNotify, 0, 0, root, 100, 100, 0).Check(); err != nil {
		t.Fatal(err)
	}
	saverState(t, events, screensaver.StateOff)
	back, locked, err := src.Idle()
	if err != nil {
		t.Fatal(err)
	}
	if locked || back >= quiet {
		t.Fatalf("after input: idle %v locked %v, want under %v and unlocked", back, locked, quiet)
	}
}

// Without a display the source says why, and the window falls back to
// its own input.
func TestX11IdleWithoutDisplay(t *testing.T) {
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("DISPLAY", "")
	if src, why := OpenIdle(); src != nil || why == "" {
		t.Fatalf("no display: source %v, reason %q", src, why)
	}
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	t.Setenv("DISPLAY", ":0")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	if src, why := OpenIdle(); src != nil || !strings.Contains(why, "Wayland") {
		t.Fatalf("Wayland session: source %v, reason %q", src, why)
	}
}
