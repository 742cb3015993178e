package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// startWindow runs the real window on x's display and returns once its
// node is up and the window shows it; prefill, when not nil, fills the
// data folder first.
func startWindow(t *testing.T, x *fleet.X, name string, prefill func(dir string), args ...string) *fleet.Daemon {
	t.Helper()
	w := fleet.NewWindow(t, x, name, args...)
	if prefill != nil {
		prefill(w.Dir)
	}
	start := time.Now()
	w.Start()
	t.Logf("window up in %s", time.Since(start).Round(time.Millisecond))
	return w
}

// shotPath is where a screenshot goes: $HALLWAY_SHOTS, else
// internal/e2e/testdata/shots.
func shotPath(name string) string {
	dir := os.Getenv("HALLWAY_SHOTS")
	if dir == "" {
		dir = filepath.Join("testdata", "shots")
	}
	abs, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		return filepath.Join(dir, name)
	}
	return abs
}

// TestWindowReceivesDM: the real window on one host, a daemon colleague
// on another. The colleague's DM reaches the window's history, which the
// CLI reads through the window's control API, and the window is
// photographed showing it.
func TestWindowReceivesDM(t *testing.T) {
	lab := netlab.New(t, 2)
	fleet.NeedX(t)
	x := fleet.StartX(t, lab.Host(1))
	win := startWindow(t, x, "Ann", nil)
	bob := fleet.New(t, lab.Host(2), "Bob")
	bob.Start()
	bobID := bob.Self().PeerID
	win.WaitFor("Bob online", 20*time.Second, func() bool { return win.Sees(bobID, bob.Name) })

	// Every verb works against the window.
	me := fleet.Decode[chat.Self](t, win.CLI("id", "--json"))
	if me.Name != "Ann" {
		t.Fatalf("window id: %+v", me)
	}
	bob.WaitFor("Ann", 20*time.Second, func() bool { return bob.Sees(me.PeerID, win.Name) })
	const text = "Hello from the daemon next door"
	bob.CLI("send", "Ann", text, "--wait")
	msgs := fleet.Decode[[]chat.Message](t, win.CLI("history", "Bob", "--json"))
	if len(msgs) != 1 || msgs[0].Text != text || msgs[0].From != bobID {
		t.Fatalf("window history: %+v", msgs)
	}
	win.CLI("send", "Bob", "Got it, thanks!", "--wait")

	// A conversation as people have them: an edit, a reply, reactions, a
	// mention of Ann and a message taken back.
	lunch := fleet.Decode[chat.Message](t, bob.CLI("send", "Ann", "Lunch at 1?", "--wait", "--json"))
	bob.CLI("edit", lunch.ID, "Lunch at noon?")
	reply := fleet.Decode[chat.Message](t, win.CLI("reply", lunch.ID, "Noon works for me", "--json"))
	win.CLI("react", lunch.ID, "👍")
	bob.CLI("react", reply.ID, "🎉")
	bob.CLI("send", "Ann", "@Ann the report is ready for review", "--wait")
	oops := fleet.Decode[chat.Message](t, bob.CLI("send", "Ann", "wrong chat, sorry", "--wait", "--json"))
	bob.CLI("delete", oops.ID)
	win.WaitFor("the conversation folded", 20*time.Second, func() bool {
		var edited, reacted, deleted, mentioned bool
		for _, m := range fleet.Decode[[]chat.Message](t, win.CLI("history", "Bob", "--json")) {
			edited = edited || (m.ID == lunch.ID && m.Edited && len(m.Reactions) == 1)
			reacted = reacted || (m.ID == reply.ID && len(m.Reactions) == 1 && m.ReplyTo != nil)
			deleted = deleted || (m.ID == oops.ID && m.Deleted)
			mentioned = mentioned || slices.Contains(m.Mentions, me.PeerID)
		}
		return edited && reacted && deleted && mentioned
	})

	// Past the first-run screen, into Bob's conversation, as a user would
	// land there on the next start.
	before := filepath.Join(win.Dir, "first-run.png")
	x.Shot(t, before)
	c := win.Client()
	p, err := c.Prefs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.SetupDone, p.LastConversation = true, "dm:"+bobID
	if err := c.SetPrefs(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	win.WaitLine("conversation shown", 30*time.Second)
	// The conversation is laid out; the next frames paint it. Screenshots
	// follow until one has left the first-run screen and the next shows
	// the same (but for a blinking cursor). Each try waits for a whole
	// screenshot, and there are few.
	path := shotPath("window.png")
	prev := filepath.Join(win.Dir, "previous.png")
	for try := 0; ; try++ {
		x.Shot(t, path)
		if fleet.PixelsChanged(t, before, path) > 20000 {
			if try > 0 && fleet.PixelsChanged(t, prev, path) < 2000 {
				break
			}
		}
		if try == 40 {
			t.Fatal("the window did not settle on the conversation")
		}
		if err := os.Rename(path, prev); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshot: %s", path)
}

// TestWindowShowsInvitation: a colleague's daemon invites the real
// window's user to a room. The window shows the invitation (with who sent
// it) and joins nothing until it is accepted; accepting through the
// window's node joins the room.
func TestWindowShowsInvitation(t *testing.T) {
	lab := netlab.New(t, 2)
	fleet.NeedX(t)
	x := fleet.StartX(t, lab.Host(1))
	win := startWindow(t, x, "Ann", nil)
	bob := fleet.New(t, lab.Host(2), "Bob")
	bob.Start()
	bobID := bob.Self().PeerID
	win.WaitFor("Bob online", 20*time.Second, func() bool { return win.Sees(bobID, bob.Name) })
	me := win.Self()
	bob.WaitFor("Ann", 20*time.Second, func() bool { return bob.Sees(me.PeerID, win.Name) })
	c := win.Client()
	p, err := c.Prefs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.SetupDone = true
	if err := c.SetPrefs(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	win.WaitLine("conversation shown", 30*time.Second)
	before := filepath.Join(win.Dir, "before.png")
	x.Shot(t, before)

	bob.CLI("room", "create", "launch")
	bob.CLI("room", "invite", "#launch", me.PeerID)
	line := win.WaitLine("invitation shown", 30*time.Second)
	if !strings.Contains(line, "launch") || !strings.Contains(line, "Bob") {
		t.Fatalf("the window showed %q", line)
	}
	for _, r := range fleet.Decode[[]chat.Room](t, win.CLI("room", "list", "--json")) {
		if r.Name == "launch" {
			t.Fatal("the window's node joined before the invitation was accepted")
		}
	}
	// The sidebar repaints with the invitation in the next frames.
	path := shotPath("invitation.png")
	for try := 0; ; try++ {
		x.Shot(t, path)
		if fleet.PixelsChanged(t, before, path) > 1000 {
			break
		}
		if try == 40 {
			t.Fatal("the window did not repaint with the invitation")
		}
	}
	t.Logf("screenshot: %s", path)
	r := win.AcceptInvitation("launch", bobID, 20*time.Second)
	bob.WaitFor("Ann in #launch", 30*time.Second, func() bool { return bob.Members("#launch") == 2 })
	if r.Name != "launch" {
		t.Fatalf("joined %+v", r)
	}
}

// TestWindowFirstRunShowsNearby: the real window starts in the open LAN
// workspace on a network where Eve and Fay share a private workspace. Its
// first-run screen says so, with their number, and picks joining with a
// code; the screen is photographed.
func TestWindowFirstRunShowsNearby(t *testing.T) {
	lab := netlab.New(t, 3)
	fleet.NeedX(t)
	x := fleet.StartX(t, lab.Host(1))
	eve, fay := fleet.New(t, lab.Host(2), "Eve"), fleet.New(t, lab.Host(3), "Fay")
	created := fleet.Decode[map[string]any](t, eve.CLI("workspace", "create", "--json"))
	fay.CLI("workspace", "join", created["invite_code"].(string))
	fleet.StartAll(t, []*fleet.Daemon{eve, fay})
	win := startWindow(t, x, "Dan", nil)
	if me := win.Self(); me.Workspace != chat.WorkspaceOpen {
		t.Fatalf("the window runs in %+v, want the open LAN workspace", me)
	}
	line := win.WaitLine("private=1 colleagues=2", 30*time.Second)
	t.Logf("window: %s", line)
	// The screen shows the line it logged; let it paint, then photograph.
	path := shotPath("first-run-nearby.png")
	blank := filepath.Join(win.Dir, "before.png")
	x.Shot(t, blank)
	for try := 0; ; try++ {
		x.Shot(t, path)
		if try > 0 && fleet.PixelsChanged(t, blank, path) < 2000 {
			break
		}
		if try == 40 {
			t.Fatal("the first-run screen did not settle")
		}
		if err := os.Rename(path, blank); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshot: %s", path)
}
