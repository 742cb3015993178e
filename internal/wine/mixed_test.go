package wine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
)

// mixedFileSize is the file that crosses in each direction.
const mixedFileSize = 64 << 20

// TestMixedLinuxAndWindows: hallway.exe daemon under Wine and a Linux
// daemon, on loopback with static peers, see each other, exchange direct
// messages both ways, share a room, and a 64 MiB file crosses each way
// with equal hashes. Every step on the Windows node is a hallway.exe verb
// through its control pipe.
func TestMixedLinuxAndWindows(t *testing.T) {
	p := Setup(t)
	exe := WineExe(t)
	linux := fleet.Binary(t)
	base := t.TempDir()
	identity := func(s string) string { return s }

	win := &node{t: t, name: "Wendy", dir: filepath.Join(base, "wendy"), port: freePort(t), winDir: winPath,
		cli: func(ctx context.Context, args ...string) *exec.Cmd { return p.Command(ctx, exe, args...) }}
	lin := &node{t: t, name: "Linus", dir: filepath.Join(base, "linus"), port: freePort(t), winDir: identity,
		cli: func(ctx context.Context, args ...string) *exec.Cmd {
			cmd := exec.CommandContext(ctx, linux, args...)
			cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
			return cmd
		}}
	for _, n := range []*node{win, lin} {
		if err := os.MkdirAll(n.dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}

	win.start("--data", winPath(win.dir))
	var wself, lself chat.Self
	win.jsonOf(&wself, "id")
	lin.start("--data", lin.dir, "--peer", "/ip4/127.0.0.1/tcp/"+strconv.Itoa(win.port)+"/p2p/"+wself.PeerID)
	lin.jsonOf(&lself, "id")
	win.must("peers", "add", "/ip4/127.0.0.1/tcp/"+strconv.Itoa(lin.port)+"/p2p/"+lself.PeerID)

	sees := func(n *node, id, name string) func() bool {
		return func() bool {
			var ps []chat.Colleague
			n.jsonOf(&ps, "peers")
			for _, c := range ps {
				if c.PeerID == id && c.Online && c.Name == name {
					return true
				}
			}
			return false
		}
	}
	win.waitFor("Linus online", 2*time.Minute, sees(win, lself.PeerID, "Linus"))
	lin.waitFor("Wendy online", 2*time.Minute, sees(lin, wself.PeerID, "Wendy"))

	// Direct messages, both ways.
	hasText := func(n *node, conv, text string) func() bool {
		return func() bool {
			var ms []chat.Message
			n.jsonOf(&ms, "history", conv)
			for _, m := range ms {
				if m.Text == text {
					return true
				}
			}
			return false
		}
	}
	win.must("send", lself.PeerID, "hello from Windows")
	lin.waitFor("Wendy's DM", time.Minute, hasText(lin, wself.PeerID, "hello from Windows"))
	lin.must("send", wself.PeerID, "hello from Linux")
	win.waitFor("Linus's DM", time.Minute, hasText(win, lself.PeerID, "hello from Linux"))

	// A room made on Windows, joined on Linux, posts both ways.
	var room chat.Room
	win.jsonOf(&room, "room", "create", "mixed")
	win.must("room", "invite", "#mixed", lself.PeerID)
	var invID string
	lin.waitFor("the invitation to #mixed", time.Minute, func() bool {
		var invs []chat.RoomInvitation
		lin.jsonOf(&invs, "room", "invites")
		for _, inv := range invs {
			if inv.Name == "mixed" {
				invID = inv.ID
				return true
			}
		}
		return false
	})
	lin.must("room", "accept", invID)
	lin.must("room", "send", "#mixed", "Linux in the room")
	win.waitFor("Linus's room post", time.Minute, hasText(win, "#mixed", "Linux in the room"))
	win.must("room", "send", "#mixed", "Windows in the room")
	lin.waitFor("Wendy's room post", time.Minute, hasText(lin, "#mixed", "Windows in the room"))

	// 64 MiB each way, hashes equal at both ends.
	sendFile(t, win, lin, lself.PeerID, filepath.Join(base, "from-windows.bin"))
	sendFile(t, lin, win, wself.PeerID, filepath.Join(base, "from-linux.bin"))

	// Names a Linux disk holds and Windows refuses or misreads land safe.
	hostileFolder(t, lin, win, wself.PeerID, filepath.Join(base, "odd names"))
}

// hostileNames are legal on Linux and dangerous or impossible on Windows.
var hostileNames = []string{"a:b.txt", "CON", "con.txt", "nul.tar.gz", "trailing dot.", "trailing space ", "ok.txt"}

// hostileFolder sends a folder of hostileNames from a Linux node to a
// Windows node and checks every file arrives, under a name Windows keeps
// as it reads.
func hostileFolder(t *testing.T, from, to *node, toID, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, n := range hostileNames {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("content of "+n), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	from.must("file", "send", toID, dir)
	var got chat.Transfer
	to.waitFor("the folder of odd names", 2*time.Minute, func() bool {
		var ts []chat.Transfer
		to.jsonOf(&ts, "transfers")
		for _, tr := range ts {
			if tr.Direction == "in" && tr.Folder && tr.State == "done" {
				got = tr
				return true
			}
			if tr.Direction == "in" && tr.Folder && tr.Error != "" {
				t.Fatalf("%s: folder failed: %s", to.name, tr.Error)
			}
		}
		return false
	})
	entries, err := os.ReadDir(linuxPath(got.FinalPath))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(hostileNames) {
		t.Errorf("%d of %d files arrived: %v", len(entries), len(hostileNames), entries)
	}
	for _, e := range entries {
		n := e.Name()
		stem, _, _ := strings.Cut(n, ".")
		if strings.ContainsAny(n, `:<>"|?*\`) || strings.HasSuffix(n, ".") || strings.HasSuffix(n, " ") ||
			strings.EqualFold(strings.TrimRight(stem, " "), "con") || strings.EqualFold(strings.TrimRight(stem, " "), "nul") {
			t.Errorf("unsafe name on the Windows side: %q", n)
		}
	}
}

// sendFile offers a fresh random file from one node to the other and
// waits until the receiver holds it complete with the same hash.
func sendFile(t *testing.T, from, to *node, toID, path string) {
	t.Helper()
	want := randomFile(t, path, mixedFileSize)
	start := time.Now()
	var offer chat.Transfer
	from.jsonOf(&offer, "file", "send", toID, from.winDir(path))
	var got chat.Transfer
	to.waitFor(filepath.Base(path)+" downloaded", 5*time.Minute, func() bool {
		var ts []chat.Transfer
		to.jsonOf(&ts, "transfers")
		for _, tr := range ts {
			if tr.Direction == "in" && tr.Name == filepath.Base(path) && tr.State == "done" {
				got = tr
				return true
			}
			if tr.Direction == "in" && tr.Name == filepath.Base(path) && tr.Error != "" {
				t.Fatalf("%s: %s failed: %s", to.name, tr.Name, tr.Error)
			}
		}
		return false
	})
	elapsed := time.Since(start)
	if h := fileHash(t, linuxPath(got.FinalPath)); h != want {
		t.Fatalf("%s → %s: %s has hash %s, want %s", from.name, to.name, got.FinalPath, h, want)
	}
	t.Logf("%s → %s: %d MiB in %s (%.1f MiB/s), hashes equal", from.name, to.name, mixedFileSize>>20,
		elapsed.Round(time.Millisecond), float64(mixedFileSize>>20)/elapsed.Seconds())
}

func randomFile(t *testing.T, path string, size int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(f, h), rand.Reader, size); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fileHash(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
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
