package chaos

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"hallway/internal/fleet"
)

// R5: a large file while the receiver is killed at 10, 50 and 90 % and,
// in a second transfer, the sender at 50 %. Each resume fetches again at
// most what was verified since the last save (8 MiB), the result has the
// sender's hash, and nothing appears under the final name before the end.
func TestR5FileKillResume(t *testing.T) {
	r := scenario(t, "R5", "1 GiB file, kill the receiver at 10/50/90 % and the sender at 50 %, resume",
		"hash equal every time; each resume re-sends ≤ 8 MiB; nothing at the final path before completion")
	size := pick(int64(128<<20), int64(1<<30))
	// The receiver's link is capped so that each kill lands mid-transfer.
	rate := pick("400mbit", "800mbit")

	l := lab(t, 2)
	down := filepath.Join(t.TempDir(), "downloads")
	ann := fleet.New(t, l.Host(1), "Ann")
	bob := fleet.New(t, l.Host(2), "Bob", "--downloads", down)
	fleet.StartAll(t, []*fleet.Daemon{ann, bob})
	fleet.WaitMesh(t, []*fleet.Daemon{ann, bob}, 30*time.Second)
	if err := l.Shape(2, rate); err != nil {
		t.Fatal(err)
	}
	src, want := fleet.RandomFile(t, t.TempDir(), "big.bin", size)

	// The receiver dies three times.
	id := offerFile(t, ann, bob, src)
	bob.CLI("file", "accept", id)
	var resent []string
	worst := int64(0)
	for _, pct := range []int64{10, 50, 90} {
		seen := waitBytes(t, bob, id, size*pct/100)
		nothingFinal(t, down)
		bob.Kill()
		nothingFinal(t, down)
		bob.Start()
		tr, _ := bob.Transfer(id)
		again := max(0, seen-tr.BytesDone)
		worst = max(worst, again)
		resent = append(resent, fmt.Sprintf("%d%%: %.1f MiB", pct, float64(again)/(1<<20)))
		if again > 8<<20+4<<20 {
			t.Fatalf("kill at %d%%: %d verified bytes to fetch again; at most a save interval (8 MiB) may be", pct, again)
		}
	}
	got := waitState(t, bob, id, "done", 300*time.Second)
	if fleet.FileHash(t, got.FinalPath) != want {
		t.Fatal("the file differs after three kills of the receiver")
	}
	r.measure(t, "receiver killed 3 times: hash equal; re-fetched after each restart %v (progress seen before the kill minus what the restart kept)", resent)

	// The sender dies half way.
	down2 := filepath.Join(t.TempDir(), "second")
	id = offerFile(t, ann, bob, src)
	bob.CLI("file", "accept", id, "--to", down2)
	waitBytes(t, bob, id, size/2)
	ann.Kill()
	nothingFinal(t, down2)
	ann.Start()
	got = waitState(t, bob, id, "done", 300*time.Second)
	if fleet.FileHash(t, got.FinalPath) != want {
		t.Fatal("the file differs after a kill of the sender")
	}
	r.measure(t, "sender killed at 50 %%: resumed by itself, hash equal; nothing under the final name before completion (checked at every kill); size %d MiB", size>>20)
	checkStores(t, []*fleet.Daemon{ann, bob})
	r.measure(t, "integrity_check ok on both databases after the 4 kills")
}
