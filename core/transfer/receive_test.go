package transfer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"
)

// folderShare is a folder of two files ann offers to bob.
func folderShare(t *testing.T) shared {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "photos")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "a.jpg"), []byte("aaaa"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.jpg"), []byte("bbbbbb"), 0o644)
	m, _, err := files.BuildManifest(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return shared{path: dir, m: m, offer: &p2p.FileOffer{ID: chat.NewMessageID(), Name: m.Name, Size: m.TotalSize(), Files: 2, Folder: true, Hash: m.Hash()}}
}

// A manifest that hashes to the offer but contradicts what the offer
// showed (name, size, number of files, folder or not) is refused before a
// byte is written, and its sender is told; auto-accept, which judged the
// offer, is not cheated either.
func TestAcceptRefusesAManifestUnlikeItsOffer(t *testing.T) {
	file := func(t *testing.T) shared { return share(t, "data.bin", 1<<20+7) }
	for _, tc := range []struct {
		name    string
		content func(*testing.T) shared
		lie     func(*p2p.FileOffer)
		cfg     Config
		auto    bool
	}{
		{"another name", file, func(o *p2p.FileOffer) { o.Name = "data.pdf" }, Config{Policy: roomy}, false},
		{"smaller", file, func(o *p2p.FileOffer) { o.Size = 7 }, Config{Policy: roomy}, false},
		{"smaller, to be accepted by itself", file, func(o *p2p.FileOffer) { o.Size = 7 }, Config{Policy: roomy, AutoAcceptMax: 1000}, true},
		{"fewer files", folderShare, func(o *p2p.FileOffer) { o.Files = 1 }, Config{Policy: roomy}, false},
		{"a file, not a folder", folderShare, func(o *p2p.FileOffer) { o.Folder, o.Files = false, 1 }, Config{Policy: roomy}, false},
		{"a folder, not a file", file, func(o *p2p.FileOffer) { o.Folder = true }, Config{Policy: roomy}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			r := newRig(t, tc.cfg)
			sh := tc.content(t)
			offer := *sh.offer
			tc.lie(&offer)
			r.net.src, r.net.connected[ann] = sh.source(sh.path), true
			dir := t.TempDir()
			r.cfg.Downloads = dir
			r.OfferReceived(ctx, ann, chat.DMConv(ann.String()).String(), &offer)
			if !tc.auto {
				_, err := r.Accept(ctx, offer.ID, dir)
				if err == nil || !strings.Contains(chat.UserMessage(err), "not what was offered") {
					t.Fatalf("accepted: %v", err)
				}
			}
			got := r.bus.waitState(t, offer.ID, storage.TransferFailed)
			if !strings.Contains(got.Error, "not what was offered") {
				t.Fatalf("failed because %q", got.Error)
			}
			if st, ok := r.post.statusTo(ann); !ok || st.State != storage.TransferFailed {
				t.Fatalf("the sender was told %+v (%v)", st, ok)
			}
			r.dls.wait(offer.ID)
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("written before the check: %v", entries)
			}
			if len(r.state(t, offer.ID).Manifest) != 0 {
				t.Fatal("the contradicting manifest was kept")
			}
		})
	}
}

// Free space is held for downloads under way: two offers that each fit
// but not both are not accepted together, and the second one is left to
// accept later rather than declined.
func TestFreeSpaceHeldForDownloadsUnderWay(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{Policy: roomy})
	r.freeSpace = func(string) (uint64, error) { return 3 << 20, nil }
	sh := share(t, "big.bin", 2<<20)
	r.net.src, r.net.connected[ann], r.net.failChunks = sh.source(sh.path), true, errors.New("link cut")
	conv := chat.DMConv(ann.String()).String()
	first, second := *sh.offer, *sh.offer
	first.ID, second.ID = chat.NewMessageID(), chat.NewMessageID()
	r.OfferReceived(ctx, ann, conv, &first)
	r.OfferReceived(ctx, ann, conv, &second)
	dir := t.TempDir()
	if _, err := r.Accept(ctx, first.ID, dir); err != nil {
		t.Fatal(err)
	}
	_, err := r.Accept(ctx, second.ID, dir)
	if err == nil || !strings.Contains(chat.UserMessage(err), "held for 1 download") {
		t.Fatalf("the second download was accepted into the same free space: %v", err)
	}
	if st := r.state(t, second.ID).State; st != storage.TransferOffered {
		t.Fatalf("left %s", st)
	}
	// Once the first is cancelled its space is free again.
	if err := r.Cancel(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Accept(ctx, second.ID, dir); err != nil {
		t.Fatalf("after the first ended: %v", err)
	}
}

// A room offer whose share has ended is not accepted.
func TestAcceptRefusesAnEndedShare(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{Policy: roomy})
	sh := share(t, "old.bin", 100)
	r.net.src, r.net.connected[ann] = sh.source(sh.path), true
	sh.offer.Expires = r.now().Add(-time.Second).UnixMilli()
	r.OfferReceived(ctx, ann, chat.RoomConv(r.rooms.id).String(), sh.offer)
	if got := r.listed(t, sh.offer.ID); got.ExpiresAt.IsZero() {
		t.Fatal("the offer's end is not shown")
	}
	if _, err := r.Accept(ctx, sh.offer.ID, t.TempDir()); err == nil || !strings.Contains(chat.UserMessage(err), "no longer shared") {
		t.Fatalf("accepted: %v", err)
	}
}

// The sender's reason for withdrawing an offer is shown.
func TestWithdrawalReasonShown(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{})
	offerFromAnn(t, r, "w1")
	r.StatusReceived(ctx, ann, &p2p.FileStatus{ID: "w1", State: storage.TransferCancelled, Reason: "the file changed after it was offered"})
	if got := r.state(t, "w1"); got.State != storage.TransferCancelled || !strings.Contains(got.Error, "changed after it was offered") {
		t.Fatalf("%s: %q", got.State, got.Error)
	}
}
