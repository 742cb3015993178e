package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// shared is content ann has and offers to bob.
type shared struct {
	path  string
	m     *files.Manifest
	offer *p2p.FileOffer
}

func share(t *testing.T, name string, size int) shared {
	t.Helper()
	p := content(t, name, size)
	m, _, err := files.BuildManifest(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := &p2p.FileOffer{ID: chat.NewMessageID(), Name: m.Name, Size: m.TotalSize(), Files: 1, Hash: m.Hash()}
	return shared{path: p, m: m, offer: o}
}

// source serves sh's manifest with whatever content is at path, as a
// sender that checks nothing would.
func (sh shared) source(path string) p2p.FileSource { return rawSource{m: sh.m, path: path} }

type rawSource struct {
	m    *files.Manifest
	path string
}

func (r rawSource) Manifest() []byte { return r.m.Marshal() }
func (r rawSource) ChunkCount() int  { return r.m.ChunkCount() }
func (r rawSource) ChunkSize() int   { return int(r.m.ChunkSize) }
func (r rawSource) Close() error     { return nil }

func (r rawSource) ReadChunk(i int, buf []byte) (int, error) {
	_, off, n := r.m.Chunk(i)
	f, err := os.Open(r.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.ReadAt(buf[:n], off); err != nil {
		return 0, err
	}
	return int(n), nil
}

var roomy = files.Policy{KeepFree: 1}

func TestAcceptDownloadsFromTheSender(t *testing.T) {
	r := newRig(t, Config{Policy: roomy})
	sh := share(t, "data.bin", 2<<20+12345) // three chunks, the last one short
	r.net.src, r.net.connected[ann] = sh.source(sh.path), true
	r.OfferReceived(context.Background(), ann, chat.DMConv(ann.String()).String(), sh.offer)

	dir := t.TempDir()
	if _, err := r.Accept(context.Background(), sh.offer.ID, dir); err != nil {
		t.Fatal(err)
	}
	got := r.bus.waitState(t, sh.offer.ID, storage.TransferDone)
	want, _ := os.ReadFile(sh.path)
	if b, err := os.ReadFile(got.FinalPath); err != nil || !bytes.Equal(b, want) || !strings.HasPrefix(got.FinalPath, dir) {
		t.Fatalf("received %s differs (%v)", got.FinalPath, err)
	}
	if st := r.state(t, sh.offer.ID); st.BytesDone != int64(len(want)) {
		t.Fatalf("%d bytes recorded", st.BytesDone)
	}
	if _, ok := r.noLane.Load(ann); !ok {
		t.Fatal("an unreachable bulk lane is tried again at once")
	}
	r.dls.wait(sh.offer.ID)
	msgs := r.post.all()
	var st p2p.FileStatus
	if len(msgs) != 1 || json.Unmarshal([]byte(msgs[0].meta), &st) != nil || st.State != storage.TransferDone || msgs[0].to != ann {
		t.Fatalf("sender told %+v", msgs)
	}
}

func TestAcceptRefusals(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       Config
		online    bool
		want      string
		wantState string
	}{
		{"nobody online", Config{Policy: roomy}, false, "nobody who has it is online", storage.TransferOffered},
		{"blocked kind", Config{Policy: files.Policy{KeepFree: 1, BlockedExtensions: []string{".bin"}}}, true, "not accepted", storage.TransferDeclined},
		{"no room on disk", Config{Policy: files.Policy{KeepFree: 1 << 62}}, true, "not enough free space", storage.TransferDeclined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.cfg)
			sh := share(t, "data.bin", 1000)
			r.net.src, r.net.connected[ann] = sh.source(sh.path), tc.online
			r.OfferReceived(context.Background(), ann, chat.DMConv(ann.String()).String(), sh.offer)
			_, err := r.Accept(context.Background(), sh.offer.ID, t.TempDir())
			if err == nil || !strings.Contains(chat.UserMessage(err), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if got := r.state(t, sh.offer.ID); got.State != tc.wantState {
				t.Fatalf("left %s, want %s", got.State, tc.wantState)
			}
		})
	}
}

// A manifest that does not hash to what was offered is never used.
func TestAcceptRefusesAManifestNotOffered(t *testing.T) {
	r := newRig(t, Config{Policy: roomy})
	sh, other := share(t, "data.bin", 1000), share(t, "other.bin", 2000)
	r.net.src, r.net.connected[ann] = other.source(other.path), true
	r.OfferReceived(context.Background(), ann, chat.DMConv(ann.String()).String(), sh.offer)
	_, err := r.Accept(context.Background(), sh.offer.ID, t.TempDir())
	if err == nil || !strings.Contains(chat.UserMessage(err), "does not match the offer") {
		t.Fatalf("got %v", err)
	}
}

// acceptedFromAnn is an accepted offer whose manifest bob already holds,
// ready for a download attempt.
func acceptedFromAnn(t *testing.T, r *rig, sh shared) {
	t.Helper()
	if _, err := r.store.InsertTransfer(context.Background(), storage.Transfer{
		ID: sh.offer.ID, Direction: storage.TransferIn, Peer: ann.String(), Conv: chat.DMConv(ann.String()).String(),
		Name: sh.m.Name, Size: sh.offer.Size, Files: 1, ManifestHash: sh.offer.Hash, Manifest: sh.m.Marshal(),
		DestDir: t.TempDir(), State: storage.TransferActive,
	}); err != nil {
		t.Fatal(err)
	}
}

func TestDownloadEndings(t *testing.T) {
	for _, tc := range []struct {
		name       string
		online     bool
		fail       error
		altered    bool
		want, why  string
		toldFailed bool
	}{
		{"no source online", false, nil, false, storage.TransferPaused, "waiting for a colleague who has it to be online", false},
		{"source breaks off", true, errors.New("stream reset"), false, storage.TransferPaused, "interrupted: stream reset", false},
		{"content changed", true, nil, true, storage.TransferFailed, "the content does not match the offer (changed after it was offered?)", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, Config{Policy: roomy})
			sh := share(t, "data.bin", 1<<20+100)
			served := sh.path
			if tc.altered {
				served = content(t, "data.bin", 0)
				os.WriteFile(served, bytes.Repeat([]byte{1}, 1<<20+100), 0o600)
			}
			r.net.src, r.net.connected[ann], r.net.failChunks = sh.source(served), tc.online, tc.fail
			acceptedFromAnn(t, r, sh)
			r.Resume(context.Background(), ann)
			got := r.bus.waitState(t, sh.offer.ID, tc.want)
			if got.Error != tc.why {
				t.Fatalf("%s because %q", got.State, got.Error)
			}
			r.dls.wait(sh.offer.ID)
			if told := len(r.post.all()) == 1; told != tc.toldFailed {
				t.Fatalf("sender told: %v", r.post.all())
			}
		})
	}
}

// A room file is fetched from a member who has it, with proof of the room
// key, when the uploader is away.
func TestRoomFileFetchedFromAMember(t *testing.T) {
	r := newRig(t, Config{Policy: roomy})
	sh := share(t, "slides.bin", 1<<20+5)
	r.rooms.peers = []peer.ID{carol}
	r.net.src, r.net.connected[carol], r.net.hasFile[carol] = sh.source(sh.path), true, true
	r.net.checkReq = func(from peer.ID, req p2p.FileRequest) error {
		if req.Room != r.rooms.id || !r.rooms.key.CheckSyncProof(fileProofLabel(req.Hash), []byte(bob), []byte(from), req.Proof) {
			return errors.New("fake: no proof of the room key")
		}
		return nil
	}
	body, _ := json.Marshal(sh.offer)
	r.RoomFileOffered(&storage.RoomEntry{Room: r.rooms.id, Author: ann.String(), Message: storage.Message{Text: string(body)}})
	r.bus.waitState(t, sh.offer.ID, storage.TransferOffered)
	if _, err := r.Accept(context.Background(), sh.offer.ID, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	r.bus.waitState(t, sh.offer.ID, storage.TransferDone)
	r.dls.wait(sh.offer.ID)
	if msgs := r.post.all(); len(msgs) != 0 {
		t.Fatalf("a room download sent %+v", msgs)
	}
}

// An offer within the auto-accept size downloads without being asked.
func TestSmallOffersAcceptedByThemselves(t *testing.T) {
	r := newRig(t, Config{Policy: roomy, AutoAcceptMax: 4096})
	small, large := share(t, "small.txt", 4096), share(t, "large.txt", 4097)
	r.net.src, r.net.connected[ann] = small.source(small.path), true
	conv := chat.DMConv(ann.String()).String()
	r.OfferReceived(context.Background(), ann, conv, small.offer)
	r.OfferReceived(context.Background(), ann, conv, large.offer)
	got := r.bus.waitState(t, small.offer.ID, storage.TransferDone)
	if got.Direction != storage.TransferIn || got.BytesDone != 4096 {
		t.Fatalf("auto-accepted %+v", got)
	}
	r.dls.wait(small.offer.ID)
	if st := r.state(t, large.offer.ID).State; st != storage.TransferOffered {
		t.Fatalf("a larger offer is %s", st)
	}
}
