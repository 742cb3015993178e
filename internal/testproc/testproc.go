// Package testproc starts the helper programs tests run beside Hallway (a
// session bus, a compositor): each prints a line once it is ready, and
// ends with the test.
package testproc

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FirstLine starts cmd, which the test's end kills, and returns the first
// line it prints on its standard output, trimmed; it fails the test when
// cmd cannot start or prints nothing within the bound. what names cmd in
// failures.
func FirstLine(t testing.TB, cmd *exec.Cmd, what string, within time.Duration) string {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", what, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case s := <-line:
		return s
	case <-time.After(within):
		t.Fatalf("%s did not start within %s", what, within)
		return ""
	}
}

// SessionBus runs a session bus of the test's own, on a socket in the
// file system (so processes in any network namespace reach it), and
// returns its address, for DBUS_SESSION_BUS_ADDRESS. It skips the test
// where dbus-daemon is missing.
func SessionBus(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon is missing (Debian's dbus-daemon package)")
	}
	addr := "unix:path=" + filepath.Join(t.TempDir(), "bus")
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--address="+addr, "--print-address=1")
	if got := FirstLine(t, cmd, "dbus-daemon", 20*time.Second); got == "" {
		t.Fatal("dbus-daemon gave no address")
	}
	return addr
}
