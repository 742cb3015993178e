package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallway/core"
	"hallway/internal/netlab"
)

func randomFile(t testing.TB, dir, name string, size int64) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		t.Fatal(err)
	}
	return p
}

func fileHash(t testing.TB, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (d *daemon) transfer(id string) (core.Transfer, bool) {
	ts, err := d.client().Transfers(context.Background())
	if err != nil {
		d.t.Fatalf("%s: transfers: %v", d.name, err)
	}
	for _, t := range ts {
		if t.ID == id {
			return t, true
		}
	}
	return core.Transfer{}, false
}

// offer sends path from d to ref and waits until to has the offer.
func offer(t *testing.T, from, to *daemon, ref, path string) string {
	t.Helper()
	tr := decode[core.Transfer](t, from.cli("file", "send", ref, path, "--json"))
	to.waitFor("the offer of "+tr.Name, 20*time.Second, func() bool { _, ok := to.transfer(tr.ID); return ok })
	return tr.ID
}

func (d *daemon) waitTransfer(id, state string, timeout time.Duration) core.Transfer {
	d.t.Helper()
	var got core.Transfer
	d.waitFor("transfer "+state, timeout, func() bool {
		got, _ = d.transfer(id)
		if got.State == "failed" && state != "failed" {
			d.t.Fatalf("%s: transfer failed: %s", d.name, got.Error)
		}
		return got.State == state
	})
	return got
}

func TestFilesLAN(t *testing.T) {
	lab := netlab.New(t, 4)
	src := t.TempDir()
	ann := newDaemon(t, lab.Host(1), "Ann")
	bob := newDaemon(t, lab.Host(2), "Bob", "--downloads", filepath.Join(t.TempDir(), "bob-dl"))
	cat := newDaemon(t, lab.Host(3), "Cat", "--downloads", filepath.Join(t.TempDir(), "cat-dl"))
	dan := newDaemon(t, lab.Host(4), "Dan", "--downloads", filepath.Join(t.TempDir(), "dan-dl"), "--max-file-size", "100M")
	ds := []*daemon{ann, bob, cat, dan}
	for _, d := range ds {
		d.start()
	}
	for _, d := range ds[1:] {
		id := d.self().PeerID
		ann.waitFor(d.name+" online", 15*time.Second, func() bool { return ann.sees(d, id) })
	}
	big := randomFile(t, src, "big.bin", 256<<20)
	bigHash := fileHash(t, big)

	t.Run("256 MiB arrives with the same hash", func(t *testing.T) {
		id := offer(t, ann, bob, "Bob", big)
		start := time.Now()
		got := decode[core.Transfer](t, bob.cli("file", "accept", id, "--wait", "--json"))
		t.Logf("256 MiB in %s (%.0f MB/s)", time.Since(start).Round(time.Millisecond), 256*1.048576/time.Since(start).Seconds())
		if got.State != "done" || fileHash(t, got.FinalPath) != bigHash {
			t.Fatalf("transfer %+v: content differs", got)
		}
		ann.waitTransfer(id, "done", 10*time.Second) // the sender learns it arrived
	})

	t.Run("receiver killed mid-transfer resumes after restart", func(t *testing.T) {
		id := offer(t, ann, bob, "Bob", big)
		bob.cli("file", "accept", id)
		var seen int64
		bob.waitFor("40% received", 60*time.Second, func() bool {
			tr, _ := bob.transfer(id)
			seen = tr.BytesDone
			return tr.BytesDone >= 100<<20
		})
		bob.kill()
		bob.start()
		tr, _ := bob.transfer(id)
		if lost := seen - tr.BytesDone; lost > 8<<20+4<<20 {
			t.Fatalf("kill -9 lost %d verified bytes; at most a save interval may be fetched again", lost)
		}
		t.Logf("resume after kill -9 fetches again %d KiB already received", max(0, seen-tr.BytesDone)>>10)
		got := bob.waitTransfer(id, "done", 120*time.Second)
		if fileHash(t, got.FinalPath) != bigHash {
			t.Fatal("resumed file differs")
		}
	})

	t.Run("a link cut mid-transfer resumes by itself", func(t *testing.T) {
		id := offer(t, ann, bob, "Bob", big)
		bob.cli("file", "accept", id)
		bob.waitFor("20% received", 60*time.Second, func() bool { tr, _ := bob.transfer(id); return tr.BytesDone >= 50<<20 })
		lab.Cut(2)
		bob.waitFor("paused by the cut", 30*time.Second, func() bool { tr, _ := bob.transfer(id); return tr.State == "paused" })
		lab.Heal(2)
		healed := time.Now()
		bob.waitFor("moving again", 30*time.Second, func() bool { tr, _ := bob.transfer(id); return tr.State == "active" || tr.State == "done" })
		t.Logf("transfer resumed %s after the heal", time.Since(healed).Round(time.Millisecond))
		got := bob.waitTransfer(id, "done", 120*time.Second)
		if fileHash(t, got.FinalPath) != bigHash {
			t.Fatal("file differs after the cut")
		}
	})

	t.Run("an offer over the limit is refused before anything is written", func(t *testing.T) {
		id := offer(t, ann, dan, "Dan", big)
		got := dan.waitTransfer(id, "declined", 20*time.Second)
		if !strings.Contains(got.Error, "limit") {
			t.Fatalf("reason %q", got.Error)
		}
		sent := ann.waitTransfer(id, "declined", 20*time.Second)
		if !strings.Contains(sent.Error, "limit") {
			t.Fatalf("the sender must see why: %q", sent.Error)
		}
		if entries, _ := os.ReadDir(filepath.Join(filepath.Dir(dan.dir), "dan-dl")); len(entries) != 0 {
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
			randomFile(t, filepath.Dir(p), filepath.Base(p), size)
			want[rel] = fileHash(t, p)
		}
		id := offer(t, ann, bob, "Bob", root)
		got := decode[core.Transfer](t, bob.cli("file", "accept", id, "--wait", "--json"))
		if got.State != "done" {
			t.Fatalf("folder transfer %s: %s", got.State, got.Error)
		}
		for rel, h := range want {
			if fileHash(t, filepath.Join(got.FinalPath, rel)) != h {
				t.Fatalf("%s differs", rel)
			}
		}
	})

	t.Run("a room file reaches a member after the uploader left", func(t *testing.T) {
		small := randomFile(t, src, "slides.pdf", 24<<20)
		tr := decode[core.Transfer](t, ann.cli("file", "send", "#general", small, "--json"))
		for _, d := range []*daemon{cat, dan} {
			d.waitFor("room offer", 20*time.Second, func() bool { _, ok := d.transfer(tr.ID); return ok })
		}
		decode[core.Transfer](t, cat.cli("file", "accept", tr.ID, "--wait", "--json"))
		ann.stop()
		got := decode[core.Transfer](t, dan.cli("file", "accept", tr.ID, "--wait", "--json"))
		if fileHash(t, got.FinalPath) != fileHash(t, small) {
			t.Fatal("room file differs")
		}
	})
}
