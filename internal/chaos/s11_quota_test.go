package chaos

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallway/internal/adversary"
	"hallway/internal/fleet"
)

// S11: a hostile peer declares 100 GiB (more than the disk holds, and
// more than the receiver's limit), and an honest colleague sends a
// decompression bomb. The declared sizes are refused before a byte is
// written; the bomb arrives as the small archive it is and nothing is
// unpacked or opened.
func TestS11QuotaAndBomb(t *testing.T) {
	r := scenario(t, "S11", "a 100 GiB declared size, a decompression bomb",
		"refused by quota before touching disk; nothing is decompressed automatically")
	l := lab(t, 3)
	dlBob := filepath.Join(t.TempDir(), "bob")
	dlCat := filepath.Join(t.TempDir(), "cat")
	ann := fleet.New(t, l.Host(1), "Ann")
	bob := fleet.New(t, l.Host(2), "Bob", "--downloads", dlBob, "--auto-accept", "200G")
	cat := fleet.New(t, l.Host(3), "Cat", "--downloads", dlCat, "--max-file-size", "1G")
	ds := []*fleet.Daemon{ann, bob, cat}
	fleet.StartAll(t, ds)
	fleet.WaitMesh(t, ds, 30*time.Second)

	// 100 GiB declared by a hostile peer, to a victim who auto-accepts
	// anything up to 200 GiB (only free space stops it) and to one with a
	// 1 GiB limit.
	adv := hostile(t, l.Host(1), nil)
	victims := infiltrate(t, adv, ds[1:])
	huge := adversary.Declared("backup.img", 100<<30)
	asked := adv.ServeContent(huge)
	ctx, cancel := context.WithTimeout(context.Background(), deadline(3*time.Minute, 10*time.Minute))
	defer cancel()
	var refusals []string
	for i, v := range []*fleet.Daemon{bob, cat} {
		id := fmt.Sprintf("huge-%d", i)
		if err := adv.OfferFile(ctx, victims[i], huge.Offer(id)); err != nil {
			t.Fatal(err)
		}
		tr := waitState(t, v, id, "declined", 60*time.Second)
		refusals = append(refusals, fmt.Sprintf("%s: %q", v.Name, tr.Error))
	}
	for _, dir := range []string{dlBob, dlCat} {
		if n := dirEntries(t, dir); n != 0 {
			t.Fatalf("%d entries written in %s for a refused 100 GiB offer", n, dir)
		}
	}
	_, fetched := asked.Load(huge.Hash())
	r.measure(t, "100 GiB declared: refused before anything was written (%s); manifest fetched to check free space: %v", strings.Join(refusals, ", "), fetched)

	// A decompression bomb from an honest colleague.
	size := pick(int64(256<<20), int64(4<<30))
	bomb := zipBomb(t, t.TempDir(), size)
	info, _ := os.Stat(bomb)
	id := offerFile(t, ann, bob, bomb)
	got := waitState(t, bob, id, "done", 120*time.Second)
	if fleet.FileHash(t, got.FinalPath) != fleet.FileHash(t, bomb) {
		t.Fatal("the archive changed on its way")
	}
	if n := dirEntries(t, dlBob); n != 1 {
		t.Fatalf("%d entries in the downloads folder after receiving one archive: something was unpacked", n)
	}
	st, _ := os.Stat(got.FinalPath)
	if st.Size() != info.Size() || st.Mode().Perm()&0o111 != 0 {
		t.Fatalf("received archive: %d bytes, mode %v", st.Size(), st.Mode())
	}
	checkStores(t, ds)
	r.measure(t, "a %d KiB zip holding %d MiB of zeros arrived as the same %d KiB (hash equal, mode %v), nothing unpacked, nothing opened",
		info.Size()>>10, size>>20, st.Size()>>10, st.Mode().Perm())
}

// zipBomb writes a zip of one file of size zero bytes, which deflate
// shrinks about a thousandfold.
func zipBomb(t *testing.T, dir string, size int64) string {
	t.Helper()
	p := filepath.Join(dir, "harmless.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z := zip.NewWriter(f)
	w, err := z.Create("zeros.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(w, zeroReader{}, size); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func dirEntries(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return len(entries)
}
