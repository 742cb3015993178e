package e2e

import (
	"strings"
	"testing"
	"time"

	"hallway/core"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// TestWorkspaceSwitchLive switches running daemons into a private
// workspace with the CLI — one creates it, the other joins with its code —
// and checks that they find each other and exchange a direct message,
// with neither process restarted.
func TestWorkspaceSwitchLive(t *testing.T) {
	lab := netlab.New(t, 2)
	ann := fleet.New(t, lab.Host(1), "Ann")
	bob := fleet.New(t, lab.Host(2), "Bob")
	fleet.StartAll(t, []*fleet.Daemon{ann, bob})
	annPid, bobPid := ann.Pid(), bob.Pid()
	annID, bobID := ann.ID(), bob.ID()

	created := fleet.Decode[map[string]any](t, ann.CLI("workspace", "create", "--json"))
	code, _ := created["invite_code"].(string)
	tag, _ := created["workspace_tag"].(string)
	if code == "" || tag == "" || created["restart_required"] != false {
		t.Fatalf("workspace create on a running daemon: %v", created)
	}
	if me := ann.Self(); me.Workspace != core.WorkspacePrivate || me.WorkspaceTag != tag {
		t.Fatalf("Ann did not switch live to %s: %+v", tag, me)
	}

	out := bob.CLI("workspace", "join", code)
	if !strings.Contains(out, "Joined private workspace "+tag) || !strings.Contains(out, "switched") {
		t.Fatalf("workspace join on a running daemon said %q", out)
	}
	if me := bob.Self(); me.WorkspaceTag != tag {
		t.Fatalf("Bob did not switch live to %s: %+v", tag, me)
	}

	ann.WaitFor("Bob online in the private workspace", 60*time.Second, func() bool { return ann.Online(bobID) })
	bob.CLI("send", annID, "hello from the new workspace")
	ann.WaitFor("Bob's message", 30*time.Second, func() bool {
		for _, m := range ann.History(bobID) {
			if m.Text == "hello from the new workspace" {
				return true
			}
		}
		return false
	})

	if !ann.Running() || !bob.Running() || ann.Pid() != annPid || bob.Pid() != bobPid {
		t.Fatalf("a daemon restarted: Ann pid %d→%d, Bob pid %d→%d", annPid, ann.Pid(), bobPid, bob.Pid())
	}
	for _, d := range []*fleet.Daemon{ann, bob} {
		if n := strings.Count(string(d.Log()), "Hallway running"); n != 2 {
			t.Fatalf("%s's node started %d times, want 2 (start, switch)", d.Name, n)
		}
	}
}
