package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/core"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// checkExactlyOnce fails on duplicate message ids in a history.
func checkExactlyOnce(t testing.TB, who string, msgs []chat.Message) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range msgs {
		if seen[m.ID] {
			t.Fatalf("%s holds message %s twice", who, m.ID)
		}
		seen[m.ID] = true
	}
}

func allDelivered(msgs []chat.Message) bool {
	for _, m := range msgs {
		if m.Outgoing && m.State != "delivered" {
			return false
		}
	}
	return true
}

// TestOfficeLAN runs four colleagues on four hosts of one LAN: three share
// a private workspace, the fourth has another key. It checks discovery by
// mDNS, direct messages, delivery across restarts of receiver and sender,
// history after kill -9, exactly-once delivery, detection of a vanished
// colleague, and that the other workspace sees nobody.
func TestOfficeLAN(t *testing.T) {
	lab := netlab.New(t, 4)
	ann := fleet.New(t, lab.Host(1), "Ann")
	bob := fleet.New(t, lab.Host(2), "Bob")
	cat := fleet.New(t, lab.Host(3), "Cat")
	dan := fleet.New(t, lab.Host(4), "Dan")

	// Workspaces through the CLI, before anyone runs.
	created := fleet.Decode[map[string]any](t, ann.CLI("workspace", "create", "--json"))
	code, _ := created["invite_code"].(string)
	if !strings.HasPrefix(code, "HW2-") {
		t.Fatalf("invite code %q", code)
	}
	bob.CLI("workspace", "join", code)
	cat.CLI("workspace", "join", strings.ToLower(code)) // codes are forgiving
	dan.CLI("workspace", "create")

	for _, d := range []*fleet.Daemon{ann, bob, cat, dan} {
		d.Start()
	}
	ids := map[*fleet.Daemon]string{}
	for _, d := range []*fleet.Daemon{ann, bob, cat, dan} {
		me := d.Self()
		ids[d] = me.PeerID
		if me.Workspace != core.WorkspacePrivate {
			t.Fatalf("%s is not in a private workspace: %+v", d.Name, me)
		}
	}

	t.Run("discovery by mDNS", func(t *testing.T) {
		office := []*fleet.Daemon{ann, bob, cat}
		for _, d := range office {
			for _, o := range office {
				if o == d {
					continue
				}
				took := d.WaitFor(o.Name+" listed", 10*time.Second, func() bool { return d.Sees(ids[o], o.Name) })
				t.Logf("%s lists %s after %s", d.Name, o.Name, took.Round(time.Millisecond))
			}
		}
	})

	t.Run("another workspace sees nobody", func(t *testing.T) {
		dan.WaitFor("Dan notices other workspaces", 10*time.Second, func() bool { return dan.Self().OtherWorkspaces >= 3 })
		if ps := dan.Peers(); len(ps) != 0 {
			t.Fatalf("Dan sees %+v", ps)
		}
		for _, d := range []*fleet.Daemon{ann, bob, cat} {
			for _, c := range d.Peers() {
				if c.PeerID == ids[dan] {
					t.Fatalf("%s lists Dan", d.Name)
				}
			}
		}
		out := dan.CLI("peers", "add", ann.Self().Addrs[0])
		if !strings.Contains(out, "different workspace") {
			t.Fatalf("adding a colleague of another workspace must say so, got %q", out)
		}
	})

	t.Run("direct message", func(t *testing.T) {
		m := fleet.Decode[chat.Message](t, ann.CLI("send", "Bob", "Hi Bob, lunch at noon?", "--wait", "--json"))
		if m.State != "delivered" {
			t.Fatalf("after --wait the message is %s", m.State)
		}
		got := bob.History("Ann")
		if len(got) != 1 || got[0].ID != m.ID || got[0].Text != "Hi Bob, lunch at noon?" || got[0].From != ids[ann] {
			t.Fatalf("Bob's history: %+v", got)
		}
	})

	t.Run("offline delivery across a restart of the receiver", func(t *testing.T) {
		bob.Stop()
		ann.WaitFor("Bob offline", 10*time.Second, func() bool { return !ann.Sees(ids[bob], bob.Name) })
		for i := range 3 {
			m := fleet.Decode[chat.Message](t, ann.CLI("send", "Bob", fmt.Sprintf("while you were away %d", i), "--json"))
			if m.State != "sent" {
				t.Fatalf("queued message state %s", m.State)
			}
		}
		bob.Start()
		bob.WaitFor("4 messages from Ann", 15*time.Second, func() bool { return len(bob.History(ids[ann])) == 4 })
		ann.WaitFor("all delivered to Bob", 15*time.Second, func() bool { return allDelivered(ann.History(ids[bob])) })
	})

	t.Run("offline delivery across a restart of the sender", func(t *testing.T) {
		cat.Stop()
		ann.WaitFor("Cat offline", 10*time.Second, func() bool { return !ann.Sees(ids[cat], cat.Name) })
		ann.CLI("send", ids[cat], "first, while you are out")
		ann.CLI("send", "Cat", "second, while you are out")
		ann.Stop()
		cat.Start()
		ann.Start()
		cat.WaitFor("2 messages from Ann", 20*time.Second, func() bool { return len(cat.History(ids[ann])) == 2 })
		ann.WaitFor("delivered to Cat", 15*time.Second, func() bool { return allDelivered(ann.History(ids[cat])) })
	})

	t.Run("history survives kill -9", func(t *testing.T) {
		var acked []string
		for i := range 20 {
			m, err := bob.Client().Send(context.Background(), "Ann", fmt.Sprintf("burst %d", i))
			if err != nil {
				t.Fatal(err)
			}
			acked = append(acked, m.ID)
		}
		bob.Kill()
		if err := bob.IntegrityCheck(context.Background()); err != nil {
			t.Fatalf("after kill -9: %v", err)
		}
		bob.Start()
		have := map[string]bool{}
		for _, m := range bob.History(ids[ann]) {
			have[m.ID] = true
		}
		for _, id := range acked {
			if !have[id] {
				t.Fatalf("acknowledged message %s lost by kill -9", id)
			}
		}
		ann.WaitFor("the burst at Ann", 20*time.Second, func() bool {
			n := 0
			for _, m := range ann.History(ids[bob]) {
				if strings.HasPrefix(m.Text, "burst ") {
					n++
				}
			}
			return n == len(acked)
		})
		bob.WaitFor("burst delivered", 15*time.Second, func() bool { return allDelivered(bob.History(ids[ann])) })
	})

	t.Run("exactly once everywhere", func(t *testing.T) {
		checkExactlyOnce(t, "Ann/Bob", ann.History(ids[bob]))
		checkExactlyOnce(t, "Bob/Ann", bob.History(ids[ann]))
		checkExactlyOnce(t, "Ann/Cat", ann.History(ids[cat]))
		checkExactlyOnce(t, "Cat/Ann", cat.History(ids[ann]))
		if a, b := len(ann.History(ids[bob])), len(bob.History(ids[ann])); a != b || a != 24 {
			t.Fatalf("Ann holds %d messages with Bob, Bob %d; want 24 each", a, b)
		}
	})

	t.Run("presence", func(t *testing.T) {
		bob.CLI("status", "away", "in a meeting")
		took := ann.WaitFor("Bob away", 5*time.Second, func() bool {
			for _, c := range ann.Peers() {
				if c.PeerID == ids[bob] && c.Status == "away" && c.StatusText == "in a meeting" {
					return true
				}
			}
			return false
		})
		t.Logf("status change reached Ann after %s", took.Round(time.Millisecond))
	})

	t.Run("a vanished colleague goes offline", func(t *testing.T) {
		ann.WaitFor("Cat online", 15*time.Second, func() bool { return ann.Sees(ids[cat], cat.Name) })
		if err := lab.Cut(3); err != nil {
			t.Fatal(err)
		}
		took := ann.WaitFor("Cat offline after the cut", 15*time.Second, func() bool { return !ann.Sees(ids[cat], cat.Name) })
		t.Logf("a vanished colleague shows offline after %s", took.Round(time.Millisecond))
		if err := lab.Heal(3); err != nil {
			t.Fatal(err)
		}
		ann.WaitFor("Cat back after the heal", 30*time.Second, func() bool { return ann.Sees(ids[cat], cat.Name) })
	})
}
