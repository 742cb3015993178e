package chaos

import (
	"path/filepath"
	"testing"
	"time"

	"hallway/internal/fleet"
)

// R6: the link of the receiver is cut at 40 % of a transfer; after the
// heal the transfer resumes by itself and completes with the same hash.
func TestR6FileLinkCut(t *testing.T) {
	r := scenario(t, "R6", "link cut for 30 s at 40 % of a transfer", "resumes by itself ≤ 10 s after the heal")
	size := pick(int64(96<<20), int64(512<<20))
	cutFor := pick(8*time.Second, 30*time.Second)

	l := lab(t, 2)
	down := filepath.Join(t.TempDir(), "downloads")
	ann := fleet.New(t, l.Host(1), "Ann")
	bob := fleet.New(t, l.Host(2), "Bob", "--downloads", down)
	fleet.StartAll(t, []*fleet.Daemon{ann, bob})
	fleet.WaitMesh(t, []*fleet.Daemon{ann, bob}, 30*time.Second)
	if err := l.Shape(2, "400mbit"); err != nil {
		t.Fatal(err)
	}
	src, want := fleet.RandomFile(t, t.TempDir(), "cut.bin", size)

	id := offerFile(t, ann, bob, src)
	bob.CLI("file", "accept", id)
	waitBytes(t, bob, id, size*40/100)
	if err := l.Cut(2); err != nil {
		t.Fatal(err)
	}
	<-time.After(cutFor)
	before, _ := bob.Transfer(id)
	if err := l.Heal(2); err != nil {
		t.Fatal(err)
	}
	healed := time.Now()
	bob.WaitFor("the transfer moving again", 120*time.Second, func() bool {
		tr, _ := bob.Transfer(id)
		return tr.State == "done" || tr.State == "active" && tr.BytesDone > before.BytesDone
	})
	resumed := time.Since(healed)
	got := waitState(t, bob, id, "done", 300*time.Second)
	if fleet.FileHash(t, got.FinalPath) != want {
		t.Fatal("the file differs after the cut")
	}
	r.measure(t, "cut %s at 40 %% of %d MiB (state %s during the cut): bytes flowing again %.1f s after the heal; hash equal",
		cutFor, size>>20, before.State, resumed.Seconds())
	checkStores(t, []*fleet.Daemon{ann, bob})
}
