package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/files"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/p2p"
)

// S20: files shared in a room change on disk after the offer (edited in
// place, truncated, grown, swapped for a link to a copy of the offered
// bytes), and a member that takes whatever it is sent asks for every
// chunk; a hostile peer offers content whose manifest contradicts its
// offer to a colleague who accepts by himself. No chunk unlike the offer
// is ever sent, the sharer sees why its file stopped being shared, and
// the contradicting manifests are refused before a byte is written.
func TestS20FilesServedAsOffered(t *testing.T) {
	r := scenario(t, "S20", "a shared file changed on disk after the offer; a manifest that differs from its offer (name, size, count)",
		"no changed chunk is served; the mismatched manifest is refused before a byte is written")
	l := lab(t, 4)
	dlBob, dlCat := filepath.Join(t.TempDir(), "bob"), filepath.Join(t.TempDir(), "cat")
	ann := fleet.New(t, l.Host(1), "Ann")
	bob := fleet.New(t, l.Host(2), "Bob", "--downloads", dlBob)
	cat := fleet.New(t, l.Host(3), "Cat", "--downloads", dlCat, "--auto-accept", "1G")
	ds := []*fleet.Daemon{ann, bob, cat}
	fleet.StartAll(t, ds)
	fleet.WaitMesh(t, ds, 30*time.Second)
	fleet.Room(t, ds[:2], "s20")
	room, key := roomSecret(t, ann, "s20")
	adv := hostile(t, l.Host(4), nil)
	ids := infiltrate(t, adv, []*fleet.Daemon{ann, cat})
	annID, catID := ids[0], ids[1]
	ctx, cancel := context.WithTimeout(context.Background(), deadline(4*time.Minute, 15*time.Minute))
	defer cancel()

	// Shared files that change after the offer.
	src, outside := t.TempDir(), t.TempDir()
	size := pick(int64(6<<20), int64(64<<20))
	changes := []struct {
		name   string
		change func(p string) error
	}{
		{"edited in place", func(p string) error { return writeAt(p, size/2, []byte("edited")) }},
		{"truncated", func(p string) error { return os.Truncate(p, size/2+3) }},
		{"grown", func(p string) error { return os.Truncate(p, size+1) }},
		{"swapped for a link to the same bytes", func(p string) error {
			copyPath := filepath.Join(outside, filepath.Base(p))
			if err := copyFile(p, copyPath); err != nil {
				return err
			}
			os.Remove(p)
			return os.Symlink(copyPath, p)
		}},
	}
	var asked, served, bad int
	var notes, what []string
	for i, c := range changes {
		what = append(what, c.name)
		p, _ := fleet.RandomFile(t, src, fmt.Sprintf("shared-%d.bin", i), size)
		tr := fleet.Decode[chat.Transfer](t, ann.CLI("file", "send", "#s20", p, "--json"))
		mr, err := adv.AskFile(ctx, annID, adv.RoomFileRequest(key, room, tr.Hash, annID, p2p.FileOpManifest))
		if err != nil {
			t.Fatal(err)
		}
		m, err := files.UnmarshalManifest(mr.Manifest)
		if err != nil || m.Hash() != tr.Hash {
			t.Fatalf("%s: manifest: %v", c.name, err)
		}
		if err := c.change(p); err != nil {
			t.Fatal(err)
		}
		n := m.ChunkCount()
		// Every chunk, in windows as a downloader asks, again after the
		// share stopped: what comes back must all be as offered.
		for round := range 2 {
			for from := 0; from < n; from += 8 {
				rep, err := adv.AskFile(ctx, annID, adv.RoomFileRequest(key, room, tr.Hash, annID, p2p.FileOpChunks,
					p2p.ChunkRange{From: from, To: min(from+8, n)}))
				if err != nil {
					t.Fatal(err)
				}
				asked += min(from+8, n) - from
				served += len(rep.Chunks)
				if b := adversary.BadChunks(m, rep); len(b) != 0 {
					bad += len(b)
					t.Errorf("%s, round %d: chunks %v served unlike the offer", c.name, round, b)
				}
			}
		}
		var got chat.Transfer
		ann.WaitFor("the changed share marked", 30*time.Second, func() bool {
			got, _ = ann.Transfer(tr.ID)
			return got.Share == chat.ShareChanged
		})
		if i == 0 {
			notes = append(notes, fmt.Sprintf("Ann sees %q", got.ShareNote))
		}
	}
	if bad != 0 {
		t.Fatalf("%d chunks served unlike the offer", bad)
	}
	r.measure(t, "%d room files of %d MiB changed after the offer (%s): %d chunks asked by a member that takes anything, %d served, 0 unlike the offer; each share then refused and marked changed at the sharer (%s)",
		len(changes), size>>20, strings.Join(what, ", "), asked, served, strings.Join(notes, ""))

	// The same change, met by an honest colleague downloading the file.
	p, _ := fleet.RandomFile(t, src, "report.bin", size)
	tr := fleet.Decode[chat.Transfer](t, ann.CLI("file", "send", bob.ID(), p, "--json"))
	bob.WaitFor("the offer", 30*time.Second, func() bool { _, ok := bob.Transfer(tr.ID); return ok })
	if err := writeAt(p, size-10, []byte("late edit")); err != nil {
		t.Fatal(err)
	}
	if got := fleet.Decode[chat.Transfer](t, bob.CLI("file", "accept", tr.ID, "--wait", "--json")); got.State == "done" {
		t.Fatal("a file edited after the offer arrived")
	}
	got := waitState(t, bob, tr.ID, "cancelled", 2*time.Minute)
	nothingFinal(t, dlBob)
	r.measure(t, "a colleague downloading a file edited after the offer: stopped, %q, nothing under its name", got.Error)

	// Manifests that contradict their offer, to a colleague who accepts
	// up to 1 GiB by herself.
	data := make([]byte, 3<<20)
	for i := range data {
		data[i] = byte(i*7 + i>>12)
	}
	file := adversary.NewContent("notes.txt", false, adversary.ContentEntry{Path: "notes.txt", Data: data})
	big := adversary.Declared("backup.img", 100<<30)
	folder := adversary.NewContent("photos", true, adversary.ContentEntry{Path: "a.jpg", Data: data[:1000]},
		adversary.ContentEntry{Path: "b.jpg", Data: data[:2000]}, adversary.ContentEntry{Path: "c.exe", Data: data[:3000]})
	adv.ServeContent(file, big, folder)
	before := dirEntries(t, dlCat)
	var outcomes []string
	for i, lie := range []struct {
		what string
		c    *adversary.Content
		lie  func(*p2p.FileOffer)
	}{
		{"another name", file, func(o *p2p.FileOffer) { o.Name = "notes.pdf" }},
		{"100 GiB offered as 1 KiB", big, func(o *p2p.FileOffer) { o.Size = 1 << 10 }},
		{"3 files offered as 2", folder, func(o *p2p.FileOffer) { o.Files = 2 }},
		{"a folder offered as one file", folder, func(o *p2p.FileOffer) { o.Folder, o.Files = false, 1 }},
		{"a file offered as a folder", file, func(o *p2p.FileOffer) { o.Folder = true }},
	} {
		id := fmt.Sprintf("s20-lie-%d", i)
		if err := adv.OfferFile(ctx, catID, lie.c.OfferLying(id, lie.lie)); err != nil {
			t.Fatal(err)
		}
		tr := waitState(t, cat, id, "failed", 60*time.Second)
		if !strings.Contains(tr.Error, "not what was offered") {
			t.Fatalf("%s: failed because %q", lie.what, tr.Error)
		}
		outcomes = append(outcomes, fmt.Sprintf("%s: %q", lie.what, strings.TrimPrefix(tr.Error, "the content is not what was offered: ")))
	}
	chunkAsks := file.ChunkRequests.Load() + big.ChunkRequests.Load() + folder.ChunkRequests.Load()
	if chunkAsks != 0 {
		t.Fatalf("%d chunk requests for refused content", chunkAsks)
	}
	if after := dirEntries(t, dlCat); after != before {
		t.Fatalf("Cat's downloads folder went from %d to %d entries", before, after)
	}
	r.measure(t, "%d offers whose manifest contradicts them, auto-accepted: all refused before a byte was written (%s); 0 chunk requests, the downloads folder untouched",
		len(outcomes), strings.Join(outcomes, "; "))

	// A hostile sharer whose file changed after its offer, serving what
	// it has now under the old manifest.
	altered := adversary.NewContent("slides.bin", false, adversary.ContentEntry{Path: "slides.bin", Data: data})
	changed := append([]byte(nil), data...)
	copy(changed[2<<20:], "changed after the offer")
	altered.Alter(0, changed)
	adv.ServeContent(altered)
	if err := adv.OfferFile(ctx, catID, altered.Offer("s20-altered")); err != nil {
		t.Fatal(err)
	}
	got = waitState(t, cat, "s20-altered", "failed", 60*time.Second)
	nothingFinal(t, dlCat)
	checkStores(t, ds)
	r.measure(t, "a hostile sharer serving a file changed after its offer: the download failed, %q, nothing under its name", got.Error)
}

func writeAt(p string, off int64, b []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteAt(b, off)
	return err
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}
