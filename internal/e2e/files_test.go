package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// offer sends path from d to ref and waits until to has the offer.
func offer(t *testing.T, from, to *fleet.Daemon, ref, path string) string {
	t.Helper()
	tr := fleet.Decode[chat.Transfer](t, from.CLI("file", "send", ref, path, "--json"))
	to.WaitFor("the offer of "+tr.Name, 20*time.Second, func() bool { _, ok := to.Transfer(tr.ID); return ok })
	return tr.ID
}

// waitTransfer waits until d's transfer id is in state, failing early if
// it fails instead.
func waitTransfer(d *fleet.Daemon, id, state string, timeout time.Duration) chat.Transfer {
	d.T.Helper()
	var got chat.Transfer
	d.WaitFor("transfer "+state, timeout, func() bool {
		got, _ = d.Transfer(id)
		if got.State == "failed" && state != "failed" {
			d.T.Fatalf("%s: transfer failed: %s", d.Name, got.Error)
		}
		return got.State == state
	})
	return got
}

func TestFilesLAN(t *testing.T) {
	lab := netlab.New(t, 4)
	src := t.TempDir()
	ann := fleet.New(t, lab.Host(1), "Ann")
	bob := fleet.New(t, lab.Host(2), "Bob", "--downloads", filepath.Join(t.TempDir(), "bob-dl"))
	cat := fleet.New(t, lab.Host(3), "Cat", "--downloads", filepath.Join(t.TempDir(), "cat-dl"))
	danDL := filepath.Join(t.TempDir(), "dan-dl")
	dan := fleet.New(t, lab.Host(4), "Dan", "--downloads", danDL, "--max-file-size", "100M")
	ds := []*fleet.Daemon{ann, bob, cat, dan}
	for _, d := range ds {
		d.Start()
	}
	for _, d := range ds[1:] {
		id := d.Self().PeerID
		ann.WaitFor(d.Name+" online", 15*time.Second, func() bool { return ann.Sees(id, d.Name) })
	}
	big, bigHash := fleet.RandomFile(t, src, "big.bin", 256<<20)

	t.Run("256 MiB arrives with the same hash", func(t *testing.T) {
		id := offer(t, ann, bob, "Bob", big)
		start := time.Now()
		got := fleet.Decode[chat.Transfer](t, bob.CLI("file", "accept", id, "--wait", "--json"))
		t.Logf("256 MiB in %s (%.0f MB/s)", time.Since(start).Round(time.Millisecond), 256*1.048576/time.Since(start).Seconds())
		if got.State != "done" || fleet.FileHash(t, got.FinalPath) != bigHash {
			t.Fatalf("transfer %+v: content differs", got)
		}
		waitTransfer(ann, id, "done", 10*time.Second) // the sender learns it arrived
	})

	t.Run("receiver killed mid-transfer resumes after restart", func(t *testing.T) {
		id := offer(t, ann, bob, "Bob", big)
		bob.CLI("file", "accept", id)
		var seen int64
		bob.WaitFor("40% received", 60*time.Second, func() bool {
			tr, _ := bob.Transfer(id)
			seen = tr.BytesDone
			return tr.BytesDone >= 100<<20
		})
		bob.Kill()
		bob.Start()
		tr, _ := bob.Transfer(id)
		if lost := seen - tr.BytesDone; lost > 8<<20+4<<20 {
			t.Fatalf("kill -9 lost %d verified bytes; at most a save interval may be fetched again", lost)
		}
		t.Logf("resume after kill -9 fetches again %d KiB already received", max(0, seen-tr.BytesDone)>>10)
		got := waitTransfer(bob, id, "done", 120*time.Second)
		if fleet.FileHash(t, got.FinalPath) != bigHash {
			t.Fatal("resumed file differs")
		}
	})

	t.Run("a link cut mid-transfer resumes by itself", func(t *testing.T) {
		id := offer(t, ann, bob, "Bob", big)
		bob.CLI("file", "accept", id)
		bob.WaitFor("20% received", 60*time.Second, func() bool { tr, _ := bob.Transfer(id); return tr.BytesDone >= 50<<20 })
		lab.Cut(2)
		bob.WaitFor("paused by the cut", 30*time.Second, func() bool { tr, _ := bob.Transfer(id); return tr.State == "paused" })
		lab.Heal(2)
		healed := time.Now()
		bob.WaitFor("moving again", 30*time.Second, func() bool { tr, _ := bob.Transfer(id); return tr.State == "active" || tr.State == "done" })
		t.Logf("transfer resumed %s after the heal", time.Since(healed).Round(time.Millisecond))
		got := waitTransfer(bob, id, "done", 120*time.Second)
		if fleet.FileHash(t, got.FinalPath) != bigHash {
			t.Fatal("file differs after the cut")
		}
	})

	t.Run("an offer over the limit is refused before anything is written", func(t *testing.T) {
		id := offer(t, ann, dan, "Dan", big)
		got := waitTransfer(dan, id, "declined", 20*time.Second)
		if !strings.Contains(got.Error, "limit") {
			t.Fatalf("reason %q", got.Error)
		}
		sent := waitTransfer(ann, id, "declined", 20*time.Second)
		if !strings.Contains(sent.Error, "limit") {
			t.Fatalf("the sender must see why: %q", sent.Error)
		}
		if entries, _ := os.ReadDir(danDL); len(entries) != 0 {
			t.Fatalf("something was written: %v", entries)
		}
	})

	t.Run("a folder with subfolders arrives intact", func(t *testing.T) {
		root := filepath.Join(src, "Quarterly report")
		want := map[string]string{}
		for _, rel := range []string{"summary.txt", "figures/q1.csv", "figures/q2.csv", "figures/raw/data.bin", "empty.txt"} {
			p := filepath.Join(root, rel)
			os.MkdirAll(filepath.Dir(p), 0o755)
			size := int64(len(rel)) * 1000
			if rel == "empty.txt" {
				size = 0
			}
			_, want[rel] = fleet.RandomFile(t, filepath.Dir(p), filepath.Base(p), size)
		}
		id := offer(t, ann, bob, "Bob", root)
		got := fleet.Decode[chat.Transfer](t, bob.CLI("file", "accept", id, "--wait", "--json"))
		if got.State != "done" {
			t.Fatalf("folder transfer %s: %s", got.State, got.Error)
		}
		for rel, h := range want {
			if fleet.FileHash(t, filepath.Join(got.FinalPath, rel)) != h {
				t.Fatalf("%s differs", rel)
			}
		}
	})

	t.Run("a room file reaches a member after the uploader left", func(t *testing.T) {
		// A room of its own: #general of an open workspace serves a
		// file only live, from its uploader.
		fleet.Room(t, []*fleet.Daemon{ann, cat, dan}, "handouts")
		small, smallHash := fleet.RandomFile(t, src, "slides.pdf", 24<<20)
		tr := fleet.Decode[chat.Transfer](t, ann.CLI("file", "send", "#handouts", small, "--json"))
		for _, d := range []*fleet.Daemon{cat, dan} {
			d.WaitFor("room offer", 20*time.Second, func() bool { _, ok := d.Transfer(tr.ID); return ok })
		}
		fleet.Decode[chat.Transfer](t, cat.CLI("file", "accept", tr.ID, "--wait", "--json"))
		ann.Stop()
		got := fleet.Decode[chat.Transfer](t, dan.CLI("file", "accept", tr.ID, "--wait", "--json"))
		if fleet.FileHash(t, got.FinalPath) != smallHash {
			t.Fatal("room file differs")
		}
	})
}
