package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallway/core"
	"hallway/internal/netlab"
	"hallway/storage"
)

func decode[T any](t testing.TB, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

func (d *daemon) self() core.Self {
	d.t.Helper()
	me, err := d.client().Self(context.Background())
	if err != nil {
		d.t.Fatalf("%s: id: %v", d.name, err)
	}
	return me
}

func (d *daemon) peers() []core.Colleague {
	d.t.Helper()
	ps, err := d.client().Peers(context.Background())
	if err != nil {
		d.t.Fatalf("%s: peers: %v", d.name, err)
	}
	return ps
}

// sees reports whether d lists other online under its name.
func (d *daemon) sees(other *daemon, id string) bool {
	for _, c := range d.peers() {
		if c.PeerID == id && c.Online && c.Name == other.name {
			return true
		}
	}
	return false
}

func (d *daemon) history(peer string) []core.Message {
	d.t.Helper()
	msgs, err := d.client().History(context.Background(), peer, 0, 10000)
	if err != nil {
		d.t.Fatalf("%s: history %s: %v", d.name, peer, err)
	}
	return msgs
}

// checkExactlyOnce fails on duplicate message ids in a history.
func checkExactlyOnce(t testing.TB, who string, msgs []core.Message) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range msgs {
		if seen[m.ID] {
			t.Fatalf("%s holds message %s twice", who, m.ID)
		}
		seen[m.ID] = true
	}
}

func allDelivered(msgs []core.Message) bool {
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
	ann := newDaemon(t, lab.Host(1), "Ann")
	bob := newDaemon(t, lab.Host(2), "Bob")
	cat := newDaemon(t, lab.Host(3), "Cat")
	dan := newDaemon(t, lab.Host(4), "Dan")

	// Workspaces through the CLI, before anyone runs.
	created := decode[map[string]any](t, ann.cli("workspace", "create", "--json"))
	code, _ := created["invite_code"].(string)
	if !strings.HasPrefix(code, "HW1-") {
		t.Fatalf("invite code %q", code)
	}
	bob.cli("workspace", "join", code)
	cat.cli("workspace", "join", strings.ToLower(code)) // codes are forgiving
	dan.cli("workspace", "create")

	for _, d := range []*daemon{ann, bob, cat, dan} {
		d.start()
	}
	ids := map[*daemon]string{}
	for _, d := range []*daemon{ann, bob, cat, dan} {
		me := d.self()
		ids[d] = me.PeerID
		if me.Workspace != core.WorkspacePrivate {
			t.Fatalf("%s is not in a private workspace: %+v", d.name, me)
		}
	}

	t.Run("discovery by mDNS", func(t *testing.T) {
		office := []*daemon{ann, bob, cat}
		for _, d := range office {
			for _, o := range office {
				if o == d {
					continue
				}
				took := d.waitFor(o.name+" listed", 10*time.Second, func() bool { return d.sees(o, ids[o]) })
				t.Logf("%s lists %s after %s", d.name, o.name, took.Round(time.Millisecond))
			}
		}
	})

	t.Run("another workspace sees nobody", func(t *testing.T) {
		dan.waitQuiet("Dan notices other workspaces", 10*time.Second, func() bool { return dan.self().OtherWorkspaces >= 3 })
		if ps := dan.peers(); len(ps) != 0 {
			t.Fatalf("Dan sees %+v", ps)
		}
		for _, d := range []*daemon{ann, bob, cat} {
			for _, c := range d.peers() {
				if c.PeerID == ids[dan] {
					t.Fatalf("%s lists Dan", d.name)
				}
			}
		}
		out := dan.cli("peers", "add", ann.self().Addrs[0])
		if !strings.Contains(out, "different workspace") {
			t.Fatalf("adding a colleague of another workspace must say so, got %q", out)
		}
	})

	t.Run("direct message", func(t *testing.T) {
		m := decode[core.Message](t, ann.cli("send", "Bob", "Hi Bob, lunch at noon?", "--wait", "--json"))
		if m.State != "delivered" {
			t.Fatalf("after --wait the message is %s", m.State)
		}
		got := bob.history("Ann")
		if len(got) != 1 || got[0].ID != m.ID || got[0].Text != "Hi Bob, lunch at noon?" || got[0].From != ids[ann] {
			t.Fatalf("Bob's history: %+v", got)
		}
	})

	t.Run("offline delivery across a restart of the receiver", func(t *testing.T) {
		bob.stop()
		ann.waitFor("Bob offline", 10*time.Second, func() bool { return !ann.sees(bob, ids[bob]) })
		for i := range 3 {
			m := decode[core.Message](t, ann.cli("send", "Bob", fmt.Sprintf("while you were away %d", i), "--json"))
			if m.State != "sent" {
				t.Fatalf("queued message state %s", m.State)
			}
		}
		bob.start()
		bob.waitFor("4 messages from Ann", 15*time.Second, func() bool { return len(bob.history(ids[ann])) == 4 })
		ann.waitFor("all delivered to Bob", 15*time.Second, func() bool { return allDelivered(ann.history(ids[bob])) })
	})

	t.Run("offline delivery across a restart of the sender", func(t *testing.T) {
		cat.stop()
		ann.waitFor("Cat offline", 10*time.Second, func() bool { return !ann.sees(cat, ids[cat]) })
		ann.cli("send", ids[cat], "first, while you are out")
		ann.cli("send", "Cat", "second, while you are out")
		ann.stop()
		cat.start()
		ann.start()
		cat.waitFor("2 messages from Ann", 20*time.Second, func() bool { return len(cat.history(ids[ann])) == 2 })
		ann.waitFor("delivered to Cat", 15*time.Second, func() bool { return allDelivered(ann.history(ids[cat])) })
	})

	t.Run("history survives kill -9", func(t *testing.T) {
		var acked []string
		for i := range 20 {
			m, err := bob.client().Send(context.Background(), "Ann", fmt.Sprintf("burst %d", i))
			if err != nil {
				t.Fatal(err)
			}
			acked = append(acked, m.ID)
		}
		bob.kill()
		st, err := storage.Open(context.Background(), filepath.Join(bob.dir, "hallway.db"))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.IntegrityCheck(context.Background()); err != nil {
			t.Fatalf("after kill -9: %v", err)
		}
		st.Close()
		bob.start()
		have := map[string]bool{}
		for _, m := range bob.history(ids[ann]) {
			have[m.ID] = true
		}
		for _, id := range acked {
			if !have[id] {
				t.Fatalf("acknowledged message %s lost by kill -9", id)
			}
		}
		ann.waitFor("the burst at Ann", 20*time.Second, func() bool {
			n := 0
			for _, m := range ann.history(ids[bob]) {
				if strings.HasPrefix(m.Text, "burst ") {
					n++
				}
			}
			return n == len(acked)
		})
		bob.waitFor("burst delivered", 15*time.Second, func() bool { return allDelivered(bob.history(ids[ann])) })
	})

	t.Run("exactly once everywhere", func(t *testing.T) {
		checkExactlyOnce(t, "Ann/Bob", ann.history(ids[bob]))
		checkExactlyOnce(t, "Bob/Ann", bob.history(ids[ann]))
		checkExactlyOnce(t, "Ann/Cat", ann.history(ids[cat]))
		checkExactlyOnce(t, "Cat/Ann", cat.history(ids[ann]))
		if a, b := len(ann.history(ids[bob])), len(bob.history(ids[ann])); a != b || a != 24 {
			t.Fatalf("Ann holds %d messages with Bob, Bob %d; want 24 each", a, b)
		}
	})

	t.Run("presence", func(t *testing.T) {
		bob.cli("status", "away", "in a meeting")
		took := ann.waitFor("Bob away", 5*time.Second, func() bool {
			for _, c := range ann.peers() {
				if c.PeerID == ids[bob] && c.Status == "away" && c.StatusText == "in a meeting" {
					return true
				}
			}
			return false
		})
		t.Logf("status change reached Ann after %s", took.Round(time.Millisecond))
	})

	t.Run("a vanished colleague goes offline", func(t *testing.T) {
		ann.waitFor("Cat online", 15*time.Second, func() bool { return ann.sees(cat, ids[cat]) })
		if err := lab.Cut(3); err != nil {
			t.Fatal(err)
		}
		took := ann.waitFor("Cat offline after the cut", 12*time.Second, func() bool { return !ann.sees(cat, ids[cat]) })
		t.Logf("a vanished colleague shows offline after %s", took.Round(time.Millisecond))
		if err := lab.Heal(3); err != nil {
			t.Fatal(err)
		}
		ann.waitFor("Cat back after the heal", 30*time.Second, func() bool { return ann.sees(cat, ids[cat]) })
	})
}
