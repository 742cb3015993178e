package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// roomTexts lists the texts of a conversation's messages.
func roomTexts(msgs []chat.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

// joinByCode has d join the room of owner's code and waits until it holds
// the message want, which only the catch-up sync brings: the sync that
// connecting started with owner has run by then, since a node syncs with
// one peer at a time.
func joinByCode(t *testing.T, d, owner *fleet.Daemon, room, want string) {
	t.Helper()
	code := strings.TrimSpace(owner.CLI("room", "invite-code", room))
	d.CLI("room", "join", code)
	d.WaitFor(want+" caught up", 30*time.Second, func() bool {
		return slices.Contains(roomTexts(d.History(room)), want)
	})
}

// TestOpenWorkspaceShareNothingOld: a laptop in the open LAN workspace
// (Carol) said things in #general on another network; Ann and Bob said
// things in theirs before she came. When she arrives, #general works live
// both ways, but nobody receives what was said before the meeting, in
// either direction, although every other room still catches up.
func TestOpenWorkspaceShareNothingOld(t *testing.T) {
	lab := netlab.New(t, 3)
	carol := fleet.New(t, lab.Host(3), "Carol")
	carol.Start()
	carol.CLI("send", "#general", "carol's old news")
	carol.CLI("room", "create", "cw")
	carol.CLI("send", "#cw", "cw old")
	carol.Stop()

	ann, bob := fleet.New(t, lab.Host(1), "Ann"), fleet.New(t, lab.Host(2), "Bob")
	fleet.StartAll(t, []*fleet.Daemon{ann, bob})
	fleet.WaitMesh(t, []*fleet.Daemon{ann, bob}, 30*time.Second)
	ann.CLI("send", "#general", "office old news")
	bob.WaitFor("the office's own #general", 20*time.Second, func() bool {
		return slices.Contains(roomTexts(bob.History("#general")), "office old news")
	})
	ann.CLI("room", "create", "w")
	ann.CLI("send", "#w", "w old")

	carol.Start()
	all := []*fleet.Daemon{ann, bob, carol}
	fleet.WaitMesh(t, all, 30*time.Second)
	// Witnesses that the catch-up after connecting ran, both ways.
	joinByCode(t, carol, ann, "#w", "w old")
	joinByCode(t, ann, carol, "#cw", "cw old")
	joinByCode(t, bob, carol, "#cw", "cw old")

	// Live, #general still works, both ways.
	ann.CLI("send", "#general", "hello Carol")
	carol.CLI("send", "#general", "hello office")
	for _, d := range all {
		d.WaitFor("the live messages", 30*time.Second, func() bool {
			texts := roomTexts(d.History("#general"))
			return slices.Contains(texts, "hello Carol") && slices.Contains(texts, "hello office")
		})
	}
	if texts := roomTexts(carol.History("#general")); slices.Contains(texts, "office old news") {
		t.Fatalf("Carol received #general history from before she came: %q", texts)
	}
	for _, d := range []*fleet.Daemon{ann, bob} {
		if texts := roomTexts(d.History("#general")); slices.Contains(texts, "carol's old news") {
			t.Fatalf("%s received Carol's #general history from another network: %q", d.Name, texts)
		}
	}
	if out := carol.CLI("room", "list"); !strings.Contains(out, "visible to every network this computer joins") {
		t.Fatalf("room list does not say who sees #general:\n%s", out)
	}
}

// TestNearbyPrivateWorkspaces: Dan runs in the open LAN workspace on a
// network where Eve and Fay share a private workspace. Dan sees it listed
// with its two colleagues, though he can reach neither; Eve sees Dan as
// one Hallway of the open workspace.
func TestNearbyPrivateWorkspaces(t *testing.T) {
	lab := netlab.New(t, 3)
	dan := fleet.New(t, lab.Host(1), "Dan")
	eve, fay := fleet.New(t, lab.Host(2), "Eve"), fleet.New(t, lab.Host(3), "Fay")
	created := fleet.Decode[map[string]any](t, eve.CLI("workspace", "create", "--json"))
	fay.CLI("workspace", "join", created["invite_code"].(string))
	tag := created["workspace_tag"].(string)
	fleet.StartAll(t, []*fleet.Daemon{dan, eve, fay})

	want := []chat.NearbyWorkspace{{Tag: tag, Colleagues: 2}}
	var got []chat.NearbyWorkspace
	dan.WaitFor("the private workspace nearby", 30*time.Second, func() bool {
		got = fleet.Decode[[]chat.NearbyWorkspace](t, dan.CLI("workspace", "nearby", "--json"))
		return slices.Equal(got, want)
	})
	out := dan.CLI("workspace", "nearby")
	for _, s := range []string{"1 private workspace on this network (2 colleagues)", "private workspace " + tag, "visible to every network this computer joins", "workspace join"} {
		if !strings.Contains(out, s) {
			t.Fatalf("no %q in workspace nearby:\n%s", s, out)
		}
	}
	t.Logf("hallway workspace nearby:\n%s", out)
	eve.WaitFor("the open workspace nearby", 30*time.Second, func() bool {
		got := fleet.Decode[[]chat.NearbyWorkspace](t, eve.CLI("workspace", "nearby", "--json"))
		return slices.Equal(got, []chat.NearbyWorkspace{{Tag: "open", Colleagues: 1, Open: true}})
	})
	for _, c := range dan.Peers() {
		if c.Online {
			t.Fatalf("Dan reached %s of the private workspace", c.Name)
		}
	}
}
