package chaos

import (
	"os"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
)

// offerFile has from offer path to to (by peer id) and waits until to
// lists the offer.
func offerFile(t *testing.T, from, to *fleet.Daemon, path string) string {
	t.Helper()
	tr := fleet.Decode[chat.Transfer](t, from.CLI("file", "send", to.ID(), path, "--json"))
	to.WaitFor("the offer of "+tr.Name, 30*time.Second, func() bool { _, ok := to.Transfer(tr.ID); return ok })
	return tr.ID
}

// waitBytes waits until d's transfer id has at least n bytes and returns
// the count it saw.
func waitBytes(t *testing.T, d *fleet.Daemon, id string, n int64) int64 {
	t.Helper()
	var seen int64
	d.WaitFor("transfer progress", 120*time.Second, func() bool {
		tr, _ := d.Transfer(id)
		if tr.State == "done" || tr.State == "failed" {
			t.Fatalf("%s: transfer %s before reaching %d bytes: %s", d.Name, tr.State, n, tr.Error)
		}
		seen = tr.BytesDone
		return tr.BytesDone >= n
	})
	return seen
}

// waitState waits until d's transfer id is in state.
func waitState(t *testing.T, d *fleet.Daemon, id, state string, timeout time.Duration) chat.Transfer {
	t.Helper()
	var got chat.Transfer
	d.WaitFor("transfer "+state, timeout, func() bool {
		got, _ = d.Transfer(id)
		if got.State == "failed" && state != "failed" {
			t.Fatalf("%s: transfer failed: %s", d.Name, got.Error)
		}
		return got.State == state
	})
	return got
}

// nothingFinal fails if anything but hidden partial data is in dir: a
// file must not appear under its name before it is complete and verified.
func nothingFinal(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			t.Fatalf("%s appeared in the downloads folder before the transfer completed", e.Name())
		}
	}
}
