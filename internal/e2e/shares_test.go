package e2e

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/files"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// shareLab is Ann and Bob, members of #proj, and a hostile peer that
// holds #proj's key and connects to both.
type shareLab struct {
	t        *testing.T
	ann, bob *fleet.Daemon
	bobDL    string
	adv      *adversary.Peer
	annID    peer.ID
	bobID    peer.ID
	room     string
	key      hcrypto.RoomKey
}

func newShareLab(t *testing.T) *shareLab {
	lab := netlab.New(t, 3)
	l := &shareLab{t: t, bobDL: filepath.Join(t.TempDir(), "bob-dl")}
	l.ann = fleet.New(t, lab.Host(1), "Ann")
	l.bob = fleet.New(t, lab.Host(2), "Bob", "--downloads", l.bobDL, "--auto-accept", "1M")
	ds := []*fleet.Daemon{l.ann, l.bob}
	fleet.StartAll(t, ds)
	fleet.WaitMesh(t, ds, 30*time.Second)
	fleet.Room(t, ds, "proj")
	l.room, l.key = l.ann.RoomSecret("#proj")
	var err error
	h := lab.Host(3)
	if l.adv, err = adversary.New(adversary.Config{NS: h, IP: h.IP}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.adv.Close() })
	l.adv.SinkProfiles()
	for _, d := range ds {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		id, err := l.adv.Connect(ctx, d.Self().Addrs[0])
		cancel()
		if err != nil {
			t.Fatalf("adversary cannot reach %s: %v", d.Name, err)
		}
		if d == l.ann {
			l.annID = id
		} else {
			l.bobID = id
		}
		d.WaitFor("the adversary connected", 20*time.Second, func() bool { return d.Online(l.adv.ID().String()) })
	}
	return l
}

// ask has the adversary ask victim for op on content hash of room with
// key, as a member.
func (l *shareLab) ask(victim peer.ID, room string, key hcrypto.RoomKey, hash, op string, chunks ...p2p.ChunkRange) adversary.FileReply {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := l.adv.AskFile(ctx, victim, l.adv.RoomFileRequest(key, room, hash, victim, op, chunks...))
	if err != nil {
		l.t.Fatalf("asking for %s: %v", op, err)
	}
	return r
}

// editAt overwrites bytes of p at off, keeping its size.
func editAt(t *testing.T, p string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// visible lists the names in dir that are not hidden partial data.
func visible(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestFilesServedAsOffered: a file is served only as it was offered,
// while it is shared, and a receiver takes only what the offer showed.
func TestFilesServedAsOffered(t *testing.T) {
	l := newShareLab(t)
	src := t.TempDir()
	ann, bob := l.ann, l.bob

	t.Run("a file changed after the offer is not served, and its sharer sees why", func(t *testing.T) {
		p, _ := fleet.RandomFile(t, src, "budget.xlsx", 6<<20)
		id := offer(t, ann, bob, "Bob", p)
		editAt(t, p, 3<<20+10, []byte("edited after the offer"))
		if got := fleet.Decode[chat.Transfer](t, bob.CLI("file", "accept", id, "--wait", "--json")); got.State == "done" {
			t.Fatal("a changed file arrived")
		}
		got := waitTransfer(bob, id, "cancelled", 60*time.Second)
		if !strings.Contains(got.Error, "changed after it was offered") {
			t.Fatalf("Bob was told %q", got.Error)
		}
		if names := visible(t, l.bobDL); len(names) != 0 {
			t.Fatalf("Bob's downloads hold %v", names)
		}
		sent, _ := ann.Transfer(id)
		if sent.Share != chat.ShareChanged || !strings.Contains(sent.ShareNote, "budget.xlsx changed on disk") || sent.State != "failed" {
			t.Fatalf("Ann sees %s, share %q: %q", sent.State, sent.Share, sent.ShareNote)
		}

		// In a room, to a member that takes whatever it is sent: the
		// chunks before the change arrive intact, the changed one never.
		p2, _ := fleet.RandomFile(t, src, "handout.pdf", 4<<20)
		tr := fleet.Decode[chat.Transfer](t, ann.CLI("file", "send", "#proj", p2, "--json"))
		mr := l.ask(l.annID, l.room, l.key, tr.Hash, p2p.FileOpManifest)
		m, err := files.UnmarshalManifest(mr.Manifest)
		if err != nil || m.Hash() != tr.Hash {
			t.Fatalf("manifest: %v", err)
		}
		editAt(t, p2, 2<<20+1, []byte("x"))
		r := l.ask(l.annID, l.room, l.key, tr.Hash, p2p.FileOpChunks, p2p.ChunkRange{From: 0, To: 4})
		if bad := adversary.BadChunks(m, r); len(bad) != 0 || r.Chunks[2] != nil || r.Chunks[3] != nil {
			t.Fatalf("served chunks %v, %v of them not as offered", slices.Sorted(maps.Keys(r.Chunks)), bad)
		}
		r = l.ask(l.annID, l.room, l.key, tr.Hash, p2p.FileOpChunks, p2p.ChunkRange{From: 0, To: 1})
		if r.OK || !strings.Contains(r.Refusal, "changed after it was offered") || len(r.Chunks) != 0 {
			t.Fatalf("asked again: ok %v, %q, %d chunks", r.OK, r.Refusal, len(r.Chunks))
		}
		ann.WaitFor("the changed share marked", 20*time.Second, func() bool {
			got, _ := ann.Transfer(tr.ID)
			return got.Share == chat.ShareChanged
		})
	})

	t.Run("a manifest unlike its offer is refused before a byte is written", func(t *testing.T) {
		data := make([]byte, 3<<20)
		for i := range data {
			data[i] = byte(i * 31)
		}
		file := adversary.NewContent("notes.txt", false, adversary.ContentEntry{Path: "notes.txt", Data: data})
		folder := adversary.NewContent("photos", true, adversary.ContentEntry{Path: "a.jpg", Data: data[:100]},
			adversary.ContentEntry{Path: "b.jpg", Data: data[:200]})
		l.adv.ServeContent(file, folder)
		before := visible(t, l.bobDL)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		for i, tc := range []struct {
			name     string
			c        *adversary.Content
			lie      func(*p2p.FileOffer)
			byItself bool // within Bob's auto-accept size
		}{
			{"3 MiB offered as 10 bytes, accepted by itself", file, func(o *p2p.FileOffer) { o.Size = 10 }, true},
			{"another name", file, func(o *p2p.FileOffer) { o.Name = "notes.pdf" }, false},
			{"fewer files", folder, func(o *p2p.FileOffer) { o.Files = 1 }, false},
			{"a folder offered as a file", folder, func(o *p2p.FileOffer) { o.Folder, o.Files = false, 1 }, false},
		} {
			id := "lying-offer-" + string(rune('a'+i))
			if err := l.adv.OfferFile(ctx, l.bobID, tc.c.OfferLying(id, tc.lie)); err != nil {
				t.Fatal(err)
			}
			bob.WaitFor("the offer", 20*time.Second, func() bool { _, ok := bob.Transfer(id); return ok })
			if !tc.byItself {
				if _, err := bob.CLIErr("file", "accept", id); err == nil {
					t.Fatalf("%s: accepted", tc.name)
				}
			}
			got := waitTransfer(bob, id, "failed", 30*time.Second)
			if !strings.Contains(got.Error, "not what was offered") {
				t.Fatalf("%s: failed because %q", tc.name, got.Error)
			}
		}
		if n := file.ChunkRequests.Load() + folder.ChunkRequests.Load(); n != 0 {
			t.Fatalf("%d chunk requests made for content refused", n)
		}
		if after := visible(t, l.bobDL); !slices.Equal(before, after) {
			t.Fatalf("Bob's downloads went from %v to %v", before, after)
		}
	})

	t.Run("withdrawn and ended shares are refused", func(t *testing.T) {
		p, _ := fleet.RandomFile(t, src, "plan.pdf", 2<<20)
		tr := fleet.Decode[chat.Transfer](t, ann.CLI("file", "send", "#proj", p, "--json"))
		if tr.Share != chat.ShareServing || tr.ExpiresAt.Before(time.Now().Add(29*24*time.Hour)) {
			t.Fatalf("a room share: %q until %v", tr.Share, tr.ExpiresAt)
		}
		m, err := files.UnmarshalManifest(l.ask(l.annID, l.room, l.key, tr.Hash, p2p.FileOpManifest).Manifest)
		if err != nil {
			t.Fatal(err)
		}
		if r := l.ask(l.annID, l.room, l.key, tr.Hash, p2p.FileOpChunks, p2p.ChunkRange{From: 0, To: 1}); !r.OK || len(r.Chunks) != 1 {
			t.Fatalf("before unshare: %q", r.Refusal)
		}
		// Bob downloads it and passes it on, until he withdraws it too.
		bob.WaitFor("the room offer", 20*time.Second, func() bool { _, ok := bob.Transfer(tr.ID); return ok })
		fleet.Decode[chat.Transfer](t, bob.CLI("file", "accept", tr.ID, "--wait", "--json"))
		ann.CLI("file", "unshare", tr.ID)
		if r := l.ask(l.annID, l.room, l.key, tr.Hash, p2p.FileOpChunks, p2p.ChunkRange{From: 0, To: 1}); r.OK || !strings.Contains(r.Refusal, "stopped sharing") {
			t.Fatalf("after unshare: ok %v, %q", r.OK, r.Refusal)
		}
		if got, _ := ann.Transfer(tr.ID); got.Share != chat.ShareUnshared {
			t.Fatalf("Ann lists it as %q", got.Share)
		}
		if r := l.ask(l.bobID, l.room, l.key, tr.Hash, p2p.FileOpChunks, p2p.ChunkRange{From: 0, To: 1}); !r.OK || len(r.Chunks) != 1 || len(adversary.BadChunks(m, r)) != 0 {
			t.Fatalf("Bob's copy: %q", r.Refusal)
		}
		bob.CLI("file", "unshare", tr.ID)
		if r := l.ask(l.bobID, l.room, l.key, tr.Hash, p2p.FileOpHave); r.OK {
			t.Fatal("Bob still passes on a copy he withdrew")
		}

		// A share that ended: refused to the member who asks, and to Bob.
		p2, _ := fleet.RandomFile(t, src, "minutes.pdf", 2<<20) // more than Bob accepts by himself
		short, err := ann.Client().SendFile(context.Background(), "#proj", p2, 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		bob.WaitFor("the short offer", 20*time.Second, func() bool { _, ok := bob.Transfer(short.ID); return ok })
		ann.WaitFor("the share to end", 30*time.Second, func() bool {
			got, _ := ann.Transfer(short.ID)
			return got.Share == chat.ShareExpired
		})
		if r := l.ask(l.annID, l.room, l.key, short.Hash, p2p.FileOpChunks, p2p.ChunkRange{From: 0, To: 1}); r.OK || !strings.HasPrefix(r.Refusal, "the share ended on") {
			t.Fatalf("an ended share: ok %v, %q", r.OK, r.Refusal)
		}
		if _, err := bob.CLIErr("file", "accept", short.ID); err == nil || !strings.Contains(err.Error(), "no longer shared") {
			t.Fatalf("Bob accepted an ended share: %v", err)
		}
	})

	t.Run("#general of an open workspace serves a file only live", func(t *testing.T) {
		p, _ := fleet.RandomFile(t, src, "lunch.pdf", 2<<20)
		tr := fleet.Decode[chat.Transfer](t, ann.CLI("file", "send", "#general", p, "--json"))
		if tr.ExpiresAt.After(time.Now().Add(time.Hour)) {
			t.Fatalf("served until %v", tr.ExpiresAt)
		}
		bob.WaitFor("the offer", 20*time.Second, func() bool { _, ok := bob.Transfer(tr.ID); return ok })
		got := fleet.Decode[chat.Transfer](t, bob.CLI("file", "accept", tr.ID, "--wait", "--json"))
		if got.State != "done" || got.Share != "" {
			t.Fatalf("Bob, present at the offer: %s, share %q", got.State, got.Share)
		}
		// The adversary holds the key anyone derives, but was not in the
		// room when the file was offered; Bob does not pass his copy on.
		general, key := hcrypto.GeneralRoom(nil)
		for _, victim := range []peer.ID{l.annID, l.bobID} {
			if r := l.ask(victim, general, key, tr.Hash, p2p.FileOpChunks, p2p.ChunkRange{From: 0, To: 1}); r.OK || len(r.Chunks) != 0 {
				t.Fatalf("served to a newcomer: %d chunks", len(r.Chunks))
			}
		}
	})
}
