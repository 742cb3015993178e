package transfer

import (
	"context"
	"encoding/json"
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

	"github.com/libp2p/go-libp2p/core/peer"
)

// roomReq is from's request for content of bob's room, with its proof.
func roomReq(r *rig, from peer.ID, hash string) p2p.FileRequest {
	p := r.rooms.key.SyncProof(fileProofLabel(hash), []byte(from), []byte(bob))
	return p2p.FileRequest{Hash: hash, Room: r.rooms.id, Proof: p[:]}
}

// waitTransfer waits for an event about transfer id that ok accepts.
func (b *fakeBus) waitTransfer(t *testing.T, id string, ok func(chat.Transfer) bool) chat.Transfer {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case e := <-b.events:
			if tc, is := e.(chat.TransferChanged); is && tc.Transfer.ID == id && ok(tc.Transfer) {
				return tc.Transfer
			}
		case <-deadline:
			t.Fatalf("transfer %s: the awaited change never came", id)
		}
	}
}

// listed is transfer id as the user sees it now.
func (r *rig) listed(t *testing.T, id string) chat.Transfer {
	t.Helper()
	ts, err := r.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		if tr.ID == id {
			return tr
		}
	}
	t.Fatalf("transfer %s not listed", id)
	return chat.Transfer{}
}

// statusTo is the last file status bob queued for to, if any.
func (p *fakePoster) statusTo(to peer.ID) (p2p.FileStatus, bool) {
	var st p2p.FileStatus
	msgs := p.all()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].to == to && msgs[i].kind == p2p.DMKindFileStatus && json.Unmarshal([]byte(msgs[i].meta), &st) == nil {
			return st, true
		}
	}
	return st, false
}

// A shared file changed on disk after the offer: the changed chunk is
// not sent, nothing more of the share is, the sharer sees why, and the
// colleague it was offered to is told.
func TestChangedFileIsNotServed(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{})
	p := content(t, "report.bin", 2<<20+5)
	tr, err := r.SendFile(ctx, "Ann", p, 0)
	if err != nil {
		t.Fatal(err)
	}
	req := p2p.FileRequest{Hash: tr.Hash}
	src, err := r.server.OpenFile(ctx, ann, req)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("edited"), 1<<20+3) // chunk 1, same size
	f.Close()

	buf := make([]byte, files.MaxChunkSize)
	if n, err := src.ReadChunk(0, buf); err != nil || n != 1<<20 {
		t.Fatalf("chunk 0, unchanged: %d, %v", n, err)
	}
	if n, err := src.ReadChunk(1, buf); err == nil || n != 0 {
		t.Fatalf("the changed chunk was served: %d bytes", n)
	} else if err.Error() != changedNote || !errors.Is(err, errNotServable) {
		t.Fatalf("refused with %q", err)
	}
	if n, err := src.ReadChunk(0, buf); err == nil {
		t.Fatalf("%d bytes of a changed share served", n)
	}
	got := r.bus.waitTransfer(t, tr.ID, func(c chat.Transfer) bool { return c.Share == chat.ShareChanged })
	if !strings.Contains(got.ShareNote, "report.bin changed on disk") || got.State != storage.TransferFailed ||
		!strings.Contains(got.Error, "changed on disk") {
		t.Fatalf("the sharer sees %s %q / %q", got.State, got.ShareNote, got.Error)
	}
	if st, ok := r.post.statusTo(ann); !ok || st.State != storage.TransferCancelled || !strings.Contains(st.Reason, "changed") {
		t.Fatalf("the colleague was told %+v (%v)", st, ok)
	}
	if _, err := r.server.OpenFile(ctx, ann, req); err == nil || err.Error() != changedNote {
		t.Fatalf("asked again: %v", err)
	}
}

// A file of a shared folder swapped for a symlink after the offer is
// never followed, even to a file with the very bytes offered.
func TestPlantedLinkIsNotFollowed(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{})
	dir := filepath.Join(t.TempDir(), "project")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("same bytes"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("other"), 0o644)
	secret := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(secret, []byte("same bytes"), 0o600)
	tr, err := r.SendFile(ctx, "#"+r.rooms.id, dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "a.txt"))
	if err := os.Symlink(secret, filepath.Join(dir, "a.txt")); err != nil {
		t.Fatal(err)
	}
	src, err := r.server.OpenFile(ctx, carol, roomReq(r, carol, tr.Hash))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	buf := make([]byte, files.MaxChunkSize)
	if n, err := src.ReadChunk(0, buf); err == nil {
		t.Fatalf("served %q through a planted link", buf[:n])
	}
	r.bus.waitTransfer(t, tr.ID, func(c chat.Transfer) bool { return c.Share == chat.ShareChanged })
}

// Unshare stops serving at once, even to a source already open, and
// says so to whoever asks.
func TestUnshareStopsServing(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{})
	tr, err := r.SendFile(ctx, "#"+r.rooms.id, content(t, "plan.bin", 1<<20+1), 0)
	if err != nil {
		t.Fatal(err)
	}
	req := roomReq(r, carol, tr.Hash)
	src, err := r.server.OpenFile(ctx, carol, req)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	buf := make([]byte, files.MaxChunkSize)
	if _, err := src.ReadChunk(0, buf); err != nil {
		t.Fatal(err)
	}
	if err := r.Unshare(ctx, tr.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := src.ReadChunk(1, buf); err == nil || err.Error() != unsharedNote {
		t.Fatalf("an open source after unshare: %v", err)
	}
	if _, err := r.server.OpenFile(ctx, carol, req); err == nil || err.Error() != unsharedNote {
		t.Fatalf("asked after unshare: %v", err)
	}
	if got := r.listed(t, tr.ID); got.Share != chat.ShareUnshared {
		t.Fatalf("listed as %q", got.Share)
	}
	if err := r.Unshare(ctx, tr.ID); err != nil {
		t.Fatalf("unsharing twice: %v", err)
	}
	if err := r.Unshare(ctx, "nope"); !isUserError(err) {
		t.Fatalf("unknown id: %v", err)
	}
	// A room file this node downloaded, and passes on, is withdrawn the
	// same way; an offer still coming in is not shared at all.
	sh := share(t, "copy.bin", 100)
	r.store.InsertTransfer(ctx, storage.Transfer{ID: sh.offer.ID, Direction: storage.TransferIn, Peer: ann.String(),
		Conv: chat.RoomConv(r.rooms.id).String(), Name: sh.m.Name, Size: 100, Files: 1, ManifestHash: sh.offer.Hash,
		Manifest: sh.m.Marshal(), FinalPath: sh.path, State: storage.TransferDone})
	if _, err := r.server.OpenFile(ctx, carol, roomReq(r, carol, sh.offer.Hash)); err != nil {
		t.Fatal(err)
	}
	if err := r.Unshare(ctx, sh.offer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.server.OpenFile(ctx, carol, roomReq(r, carol, sh.offer.Hash)); err == nil {
		t.Fatal("a withdrawn copy was served")
	}
	r.OfferReceived(ctx, ann, chat.RoomConv(r.rooms.id).String(), validOffer("incoming", 10))
	if err := r.Unshare(ctx, "incoming"); !isUserError(err) {
		t.Fatalf("unsharing an offer to us: %v", err)
	}
}

// Room shares end after 30 days, or what the sender asked; a source open
// at the end stops; files sent to a colleague have no end unless asked.
func TestRoomSharesExpire(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{})
	now := time.Now()
	r.now = func() time.Time { return now }
	room := "#" + r.rooms.id
	def, err := r.SendFile(ctx, room, content(t, "a.bin", 10), 0)
	if err != nil {
		t.Fatal(err)
	}
	week, err := r.SendFile(ctx, room, content(t, "b.bin", 20), 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dm, err := r.SendFile(ctx, "Ann", content(t, "c.bin", 30), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !def.ExpiresAt.Equal(now.Add(DefaultShareFor)) || !week.ExpiresAt.Equal(now.Add(7*24*time.Hour)) || !dm.ExpiresAt.IsZero() {
		t.Fatalf("expiries %v, %v, %v", def.ExpiresAt, week.ExpiresAt, dm.ExpiresAt)
	}
	var o p2p.FileOffer
	if msgs := r.post.all(); json.Unmarshal([]byte(msgs[1].meta), &o) != nil || o.Expires != week.ExpiresAt.UnixMilli() {
		t.Fatalf("the offer says it ends at %d", o.Expires)
	}
	if _, err := r.SendFile(ctx, room, content(t, "d.bin", 1), -time.Hour); !isUserError(err) {
		t.Fatalf("a negative expiry: %v", err)
	}

	now = now.Add(6 * 24 * time.Hour)
	src, err := r.server.OpenFile(ctx, carol, roomReq(r, carol, week.Hash))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	now = now.Add(2 * 24 * time.Hour)
	buf := make([]byte, files.MaxChunkSize)
	if _, err := src.ReadChunk(0, buf); err == nil || !strings.HasPrefix(err.Error(), "the share ended on ") {
		t.Fatalf("an open source past the end: %v", err)
	}
	if _, err := r.server.OpenFile(ctx, carol, roomReq(r, carol, week.Hash)); err == nil || !strings.HasPrefix(err.Error(), "the share ended on ") {
		t.Fatalf("asked past the end: %v", err)
	}
	if _, err := r.server.OpenFile(ctx, carol, roomReq(r, carol, def.Hash)); err != nil {
		t.Fatalf("the 30-day share: %v", err)
	}
	if got := r.listed(t, week.ID); got.Share != chat.ShareExpired {
		t.Fatalf("listed as %q", got.Share)
	}
	now = now.Add(1000 * 24 * time.Hour)
	if _, err := r.server.OpenFile(ctx, ann, p2p.FileRequest{Hash: dm.Hash}); err != nil {
		t.Fatalf("a file sent to a colleague: %v", err)
	}

	short := newRig(t, Config{ShareFor: 2 * time.Hour})
	tr, err := short.SendFile(ctx, "#"+short.rooms.id, content(t, "e.bin", 1), 0)
	if err != nil || tr.ExpiresAt.After(time.Now().Add(2*time.Hour)) {
		t.Fatalf("with a 2 h setting: %v, %v", tr.ExpiresAt, err)
	}
}

// A room file downloaded here is passed on for our own share time, never
// past the end its sender said.
func TestDownloadedCopyShareEnds(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{ShareFor: 10 * 24 * time.Hour})
	now := time.Now()
	r.now = func() time.Time { return now }
	for _, tc := range []struct {
		name    string
		offered time.Duration // the offer's end, from now; 0: none said
		until   time.Duration
	}{{"sender's end first", 3 * 24 * time.Hour, 3 * 24 * time.Hour}, {"ours first", 20 * 24 * time.Hour, 10 * 24 * time.Hour}, {"none said", 0, 10 * 24 * time.Hour}} {
		t.Run(tc.name, func(t *testing.T) {
			sh := share(t, "copy.bin", 100)
			rec := storage.Transfer{ID: sh.offer.ID, Direction: storage.TransferIn, Peer: ann.String(),
				Conv: chat.RoomConv(r.rooms.id).String(), Name: sh.m.Name, Size: 100, Files: 1, ManifestHash: sh.offer.Hash,
				Manifest: sh.m.Marshal(), FinalPath: sh.path, State: storage.TransferDone, CreatedAt: now}
			if tc.offered > 0 {
				rec.ExpiresAt = now.Add(tc.offered)
			}
			r.store.InsertTransfer(ctx, rec)
			defer func(n time.Time) { now = n }(now)
			now = now.Add(tc.until - time.Minute)
			if _, err := r.server.OpenFile(ctx, carol, roomReq(r, carol, sh.offer.Hash)); err != nil {
				t.Fatalf("before the end: %v", err)
			}
			now = now.Add(2 * time.Minute)
			if _, err := r.server.OpenFile(ctx, carol, roomReq(r, carol, sh.offer.Hash)); err == nil {
				t.Fatal("served past the end")
			}
		})
	}
}

// In #general of an open workspace a file is served only live: by its
// sender, to the peers present when it was offered, for an hour at most,
// and not after the sender restarts; downloaded copies are not passed on.
func TestLiveOnlyRoomFiles(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{})
	r.rooms.live, r.rooms.peers = true, []peer.ID{ann}
	now := time.Now()
	r.now = func() time.Time { return now }
	tr, err := r.SendFile(ctx, "#"+r.rooms.id, content(t, "memo.bin", 10), 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.ExpiresAt.Equal(now.Add(LiveWindow)) {
		t.Fatalf("a live offer ends at %v", tr.ExpiresAt)
	}
	if _, err := r.server.OpenFile(ctx, ann, roomReq(r, ann, tr.Hash)); err != nil {
		t.Fatalf("present at the offer: %v", err)
	}
	if _, err := r.server.OpenFile(ctx, carol, roomReq(r, carol, tr.Hash)); err == nil || err.Error() != liveNote {
		t.Fatalf("absent at the offer: %v", err)
	}
	now = now.Add(LiveWindow + time.Second)
	if _, err := r.server.OpenFile(ctx, ann, roomReq(r, ann, tr.Hash)); err == nil {
		t.Fatal("served after the live window")
	}
	now = now.Add(-2 * time.Second)
	r.server = &server{s: r.Service} // the sender restarted
	if _, err := r.server.OpenFile(ctx, ann, roomReq(r, ann, tr.Hash)); err == nil || err.Error() != liveNote {
		t.Fatalf("after a restart: %v", err)
	}
	if got := r.listed(t, tr.ID); got.Share != chat.ShareExpired {
		t.Fatalf("listed as %q", got.Share)
	}
	sh := share(t, "copy.bin", 100)
	r.store.InsertTransfer(ctx, storage.Transfer{ID: sh.offer.ID, Direction: storage.TransferIn, Peer: ann.String(),
		Conv: chat.RoomConv(r.rooms.id).String(), Name: sh.m.Name, Size: 100, Files: 1, ManifestHash: sh.offer.Hash,
		Manifest: sh.m.Marshal(), FinalPath: sh.path, State: storage.TransferDone})
	if _, err := r.server.OpenFile(ctx, ann, roomReq(r, ann, sh.offer.Hash)); err == nil {
		t.Fatal("a downloaded copy of a live-only file was passed on")
	}
	if got := r.listed(t, sh.offer.ID); got.Share != "" {
		t.Fatalf("the copy is listed as shared: %q", got.Share)
	}
}

func isUserError(err error) bool {
	var ue *chat.UserError
	return errors.As(err, &ue)
}

// A room offer recorded before offers had an end is shared for the share
// time from when it was made, not forever.
func TestOldRoomOfferExpires(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{})
	sh := share(t, "old.bin", 100)
	r.store.InsertTransfer(ctx, storage.Transfer{ID: sh.offer.ID, Direction: storage.TransferOut, Peer: bob.String(),
		Conv: chat.RoomConv(r.rooms.id).String(), Name: sh.m.Name, Size: 100, Files: 1, ManifestHash: sh.offer.Hash,
		Manifest: sh.m.Marshal(), SourcePath: sh.path, State: storage.TransferOffered, CreatedAt: time.Now().Add(-31 * 24 * time.Hour)})
	if _, err := r.server.OpenFile(ctx, carol, roomReq(r, carol, sh.offer.Hash)); err == nil || !strings.HasPrefix(err.Error(), "the share ended on") {
		t.Fatalf("a 31-day-old room offer: %v", err)
	}
}
