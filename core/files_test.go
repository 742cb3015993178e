package core

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"
)

func (n *node) transfer(id string) chat.Transfer {
	ts, err := n.Transfers(context.Background())
	if err != nil {
		n.t.Fatal(err)
	}
	for _, t := range ts {
		if t.ID == id {
			return t
		}
	}
	return chat.Transfer{}
}

func (n *node) waitTransferState(id, state string) chat.Transfer {
	n.t.Helper()
	var t chat.Transfer
	n.waitFor("transfer "+state, func() bool { t = n.transfer(id); return t.State == state })
	return t
}

// insideOnly fails if anything exists under outside.
func insideOnly(t *testing.T, outside string) {
	entries, _ := os.ReadDir(outside)
	if len(entries) != 0 {
		t.Fatalf("%d files written outside the downloads folder", len(entries))
	}
}

// TestHostileNamesLandSafely (THREATS S10): names that are legal on the
// sender's disk but dangerous elsewhere, a hostile name in the offer, and
// a symlink planted in the downloads folder.
func TestHostileNamesLandSafely(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("these names cannot exist on the sender's disk here; a Linux sender to a Windows receiver is internal/wine's TestMixedLinuxAndWindows")
	}
	outside := t.TempDir()
	dl := t.TempDir()
	ann := startNode(t, "", "Ann")
	b := startNodeWith(t, Config{Name: "Bob", StaticPeers: []string{ann.addr()}, Files: FilesConfig{Downloads: dl}})
	ann.waitOnline(b, "Bob")
	if err := os.Symlink(outside, filepath.Join(dl, "evil")); err != nil {
		t.Fatal(err)
	}

	src := filepath.Join(t.TempDir(), "evil")
	names := []string{"a:b.txt", "CON", "con.txt", "x\u202Etxt.exe", "tab\tname", strings.Repeat("n", 250) + ".txt", "ok.txt"}
	os.MkdirAll(filepath.Join(src, "..sub"), 0o755)
	for _, n := range names {
		os.WriteFile(filepath.Join(src, n), []byte("content of "+n), 0o755)
		os.WriteFile(filepath.Join(src, "..sub", n), []byte("nested "+n), 0o644)
	}
	tr, err := ann.SendFile(context.Background(), "Bob", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	b.waitFor("the offer", func() bool { return b.transfer(tr.ID).ID != "" })
	if _, err := b.AcceptTransfer(context.Background(), tr.ID, ""); err != nil {
		t.Fatal(err)
	}
	got := b.waitTransferState(tr.ID, "done")
	if filepath.Dir(got.FinalPath) != dl || filepath.Base(got.FinalPath) == "evil" {
		t.Fatalf("folder landed at %s: the planted symlink must not be reused", got.FinalPath)
	}
	count := 0
	filepath.WalkDir(got.FinalPath, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		count++
		base := d.Name()
		if strings.ContainsAny(base, ":\t\u202E") || strings.EqualFold(strings.SplitN(base, ".", 2)[0], "con") || len(base) > 200 {
			t.Errorf("unsafe name kept: %q", base)
		}
		fi, _ := d.Info()
		if fi.Mode().Perm()&0o111 != 0 {
			t.Errorf("%s is executable", p)
		}
		return nil
	})
	if count != 2*len(names) {
		t.Fatalf("%d of %d files arrived", count, 2*len(names))
	}
	insideOnly(t, outside)

	// An offer whose own name is hostile: the record and the file get safe names.
	hostile := p2p.FileOffer{ID: chat.NewMessageID(), Name: "../../etc/passwd", Size: 1, Files: 1, Hash: strings.Repeat("a", 64)}
	meta, _ := json.Marshal(hostile)
	if _, err := ann.queueDM(context.Background(), b.ID(), "hostile", p2p.DMKindFile, string(meta)); err != nil {
		t.Fatal(err)
	}
	b.waitFor("the hostile offer", func() bool { return b.transfer(hostile.ID).ID != "" })
	if name := b.transfer(hostile.ID).Name; name != "passwd" {
		t.Fatalf("offer recorded as %q", name)
	}
	if _, err := b.AcceptTransfer(context.Background(), hostile.ID, ""); err == nil {
		t.Fatal("an offer whose content nobody has must not be accepted")
	}
	insideOnly(t, outside)
}

// TestHugeDeclaredSizeRefused (THREATS S11): an offer declaring 100 GiB is
// refused by the free-space check before anything is written.
func TestHugeDeclaredSizeRefused(t *testing.T) {
	dl := t.TempDir()
	ann := startNode(t, "", "Ann")
	b := startNodeWith(t, Config{Name: "Bob", StaticPeers: []string{ann.addr()},
		Files: FilesConfig{Downloads: dl, Policy: files.Policy{KeepFree: 1 << 62}}})
	ann.waitOnline(b, "Bob")

	const size = 100 << 30
	m := &files.Manifest{Name: "huge.iso", ChunkSize: files.ChunkSizeFor(size)}
	e := files.Entry{Path: "huge.iso", Size: size}
	e.Chunks = make([][32]byte, (size+m.ChunkSize-1)/m.ChunkSize)
	m.Entries = []files.Entry{e}
	id := chat.NewMessageID()
	if _, err := ann.store.InsertTransfer(context.Background(), storage.Transfer{ID: id, Direction: storage.TransferOut,
		Peer: b.ID().String(), Conv: dmConv(b.ID()), Name: m.Name, Size: size, Files: 1, ManifestHash: m.Hash(),
		Manifest: m.Marshal(), SourcePath: "/nonexistent", State: storage.TransferOffered}); err != nil {
		t.Fatal(err)
	}
	meta, _ := json.Marshal(p2p.FileOffer{ID: id, Name: m.Name, Size: size, Files: 1, Hash: m.Hash()})
	if _, err := ann.queueDM(context.Background(), b.ID(), "huge", p2p.DMKindFile, string(meta)); err != nil {
		t.Fatal(err)
	}
	b.waitFor("the offer", func() bool { return b.transfer(id).ID != "" })
	_, err := b.AcceptTransfer(context.Background(), id, "")
	if err == nil || !strings.Contains(chat.UserMessage(err), "space") {
		t.Fatalf("want a free-space refusal, got %v", err)
	}
	if entries, _ := os.ReadDir(dl); len(entries) != 0 {
		t.Fatalf("%d entries written before the refusal", len(entries))
	}
	ann.waitTransferState(id, "declined")
}

func TestDeclineAndCancelReachTheOtherSide(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	p := filepath.Join(t.TempDir(), "memo.txt")
	os.WriteFile(p, []byte("hello"), 0o644)

	declined, err := ann.SendFile(context.Background(), "Bob", p, 0)
	if err != nil {
		t.Fatal(err)
	}
	bob.waitFor("offer", func() bool { return bob.transfer(declined.ID).State == "offered" })
	if err := bob.DeclineTransfer(context.Background(), declined.ID); err != nil {
		t.Fatal(err)
	}
	ann.waitTransferState(declined.ID, "declined")

	cancelled, err := ann.SendFile(context.Background(), "Bob", p, 0)
	if err != nil {
		t.Fatal(err)
	}
	bob.waitFor("offer", func() bool { return bob.transfer(cancelled.ID).State == "offered" })
	if err := ann.CancelTransfer(context.Background(), cancelled.ID); err != nil {
		t.Fatal(err)
	}
	bob.waitTransferState(cancelled.ID, "cancelled")
	if _, err := bob.AcceptTransfer(context.Background(), cancelled.ID, t.TempDir()); err == nil {
		t.Fatal("a withdrawn offer must not be accepted")
	}
}

// A download paused because its only source left finishes by itself when
// the source comes back, whatever the timing of the reconnect.
func TestDownloadResumesWhenSenderReturns(t *testing.T) {
	annDir := t.TempDir()
	ann := startNode(t, annDir, "Ann")
	bob := startNodeWith(t, Config{Name: "Bob", StaticPeers: []string{ann.addr()}, Files: FilesConfig{Downloads: t.TempDir()}})
	ann.waitOnline(bob, "Bob")
	p := filepath.Join(t.TempDir(), "big.bin")
	f, _ := os.Create(p)
	f.Truncate(96 << 20) // zeros hash and transfer like any content
	f.Close()
	tr, err := ann.SendFile(context.Background(), "Bob", p, 0)
	if err != nil {
		t.Fatal(err)
	}
	bob.waitFor("offer", func() bool { return bob.transfer(tr.ID).State == "offered" })
	if _, err := bob.AcceptTransfer(context.Background(), tr.ID, ""); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("some progress", func() bool { return bob.transfer(tr.ID).BytesDone > 0 || bob.transfer(tr.ID).State == "done" })
	ann.stop()
	if bob.transfer(tr.ID).State != "done" {
		bob.waitTransferState(tr.ID, "paused")
	}
	startNode(t, annDir, "Ann", bob.addr())
	got := bob.waitTransferState(tr.ID, "done")
	if got.BytesDone != 96<<20 {
		t.Fatalf("done with %d bytes", got.BytesDone)
	}
}
