package fleet

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Log is everything the daemon wrote to stdout and stderr so far.
func (d *Daemon) Log() []byte {
	b, _ := os.ReadFile(filepath.Join(d.Dir, "daemon.log"))
	return b
}

// Tail is the last n bytes of b.
func Tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// WaitLine returns the first log line of the running process that contains
// s, reading on after the line an earlier WaitLine returned (up to
// lineBuffer unread lines are kept). It fails the test if the process
// exits first or after timeout.
func (d *Daemon) WaitLine(s string, timeout time.Duration) string {
	d.T.Helper()
	d.mu.Lock()
	lines, done := d.lines, d.done
	d.mu.Unlock()
	if lines == nil {
		d.T.Fatalf("%s: waiting for %q before Start", d.Name, s)
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case l := <-lines:
			if strings.Contains(l, s) {
				return l
			}
		case <-done:
			d.T.Fatalf("%s exited while waiting for %q:\n%s", d.Name, s, Tail(d.Log(), 3000))
		case <-deadline.C:
			d.T.Fatalf("%s: no %q within %s", d.Name, s, timeout)
		}
	}
}
