package e2e

import (
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

func texts(msgs []chat.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

func colleague(d *fleet.Daemon, id string) chat.Colleague {
	for _, c := range d.Peers() {
		if c.PeerID == id {
			return c
		}
	}
	return chat.Colleague{}
}

// TestBlockLAN: three colleagues on three hosts of one LAN, discovering
// each other by mDNS. Ann blocks Bob with the CLI: Bob is disconnected and
// refused, what he keeps sending (direct messages, a file offer, room
// posts that Cat relays) is neither stored nor shown at Ann, also across
// her restart; unblocking brings him back with what he had queued.
func TestBlockLAN(t *testing.T) {
	lab := netlab.New(t, 3)
	ds := fleet.Office(t, lab, []string{"Ann", "Bob", "Cat"})
	ann, bob, cat := ds[0], ds[1], ds[2]
	fleet.Room(t, ds, "ops")
	annID, bobID := ann.ID(), bob.ID()
	bob.CLI("send", annID, "before the block", "--wait")

	out := ann.CLI("block", "Bob", "--reason", "writes at night")
	if !strings.Contains(out, "Blocked Bob#") {
		t.Fatalf("block: %q", out)
	}
	ann.WaitFor("Bob blocked and offline", 20*time.Second, func() bool {
		c := colleague(ann, bobID)
		return c.Blocked && !c.Online
	})
	bob.WaitFor("Ann gone", 20*time.Second, func() bool { return !bob.Online(annID) })
	if out := ann.CLI("peers"); !strings.Contains(out, "blocked") {
		t.Fatalf("peers does not say Bob is blocked: %q", out)
	}

	// Bob keeps at it.
	dm := fleet.Decode[chat.Message](t, bob.CLI("send", annID, "after the block", "--json"))
	file := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(file, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	offer := fleet.Decode[chat.Transfer](t, bob.CLI("file", "send", annID, file, "--json"))
	barrier := func(n int) {
		t.Helper()
		text := "barrier " + string(rune('0'+n))
		bob.CLI("room", "send", "#ops", "blocked post "+string(rune('0'+n)))
		cat.WaitFor("Bob's post at Cat", 20*time.Second, func() bool {
			return slices.Contains(texts(cat.History("#ops")), "blocked post "+string(rune('0'+n)))
		})
		cat.CLI("room", "send", "#ops", text)
		ann.WaitFor("Cat's "+text, 20*time.Second, func() bool { return slices.Contains(texts(ann.History("#ops")), text) })
	}
	barrier(1)
	nothingOfBob := func(when string) {
		t.Helper()
		for _, m := range ann.History("#ops") {
			if m.From == bobID && strings.HasPrefix(m.Text, "blocked post") {
				t.Fatalf("%s: Ann stored Bob's post %q", when, m.Text)
			}
		}
		var fromBob []string
		for _, m := range ann.History(bobID) {
			if m.From == bobID {
				fromBob = append(fromBob, m.Text)
			}
		}
		if !slices.Equal(fromBob, []string{"before the block"}) {
			t.Fatalf("%s: Ann holds from Bob %q", when, fromBob)
		}
		if _, ok := ann.Transfer(offer.ID); ok {
			t.Fatalf("%s: Ann holds Bob's file offer", when)
		}
		if c := colleague(ann, bobID); !c.Blocked || c.Online {
			t.Fatalf("%s: Ann lists Bob as %+v", when, c)
		}
	}
	nothingOfBob("blocked")
	if _, err := ann.CLIErr("send", "Bob", "go away"); err == nil {
		t.Fatal("Ann wrote to a colleague she blocked")
	}

	// The block survives Ann's restart; Bob, who finds her again by mDNS,
	// is refused.
	ann.Restart()
	cat.WaitFor("Ann back", 30*time.Second, func() bool { return cat.Online(annID) })
	barrier(2)
	nothingOfBob("after Ann's restart")
	list := fleet.Decode[[]chat.Block](t, ann.CLI("blocked", "--json"))
	if len(list) != 1 || list[0].PeerID != bobID || list[0].Reason != "writes at night" {
		t.Fatalf("blocked after the restart: %+v", list)
	}
	if bob.Online(annID) {
		t.Fatal("Bob is connected to Ann after her restart")
	}
	for _, m := range bob.History(annID) {
		if m.ID == dm.ID && m.State != "sent" {
			t.Fatalf("Bob's message to Ann is %s, want queued (sent)", m.State)
		}
	}

	// Unblocked: Bob is back with what his Hallway kept for Ann.
	ann.CLI("unblock", "Bob")
	ann.WaitFor("Bob online", 30*time.Second, func() bool { c := colleague(ann, bobID); return c.Online && !c.Blocked })
	bob.WaitFor("the queued message delivered", 30*time.Second, func() bool {
		for _, m := range bob.History(annID) {
			if m.ID == dm.ID {
				return m.State == "delivered"
			}
		}
		return false
	})
	ann.WaitFor("Bob's posts", 30*time.Second, func() bool {
		got := texts(ann.History("#ops"))
		return slices.Contains(got, "blocked post 1") && slices.Contains(got, "blocked post 2")
	})
	ann.WaitFor("Bob's file offer", 30*time.Second, func() bool { _, ok := ann.Transfer(offer.ID); return ok })
	if out := ann.CLI("blocked"); !strings.Contains(out, "Nobody is blocked") {
		t.Fatalf("blocked after the unblock: %q", out)
	}
}
