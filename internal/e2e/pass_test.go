package e2e

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// passOf is the workspace's pass id as d lists it.
func passOf(t *testing.T, d *fleet.Daemon, id string) (chat.WorkspacePass, bool) {
	t.Helper()
	for _, p := range fleet.Decode[[]chat.WorkspacePass](t, d.CLI("workspace", "passes", "--json")) {
		if p.ID == id {
			return p, true
		}
	}
	return chat.WorkspacePass{}, false
}

// memberRole is id's role in the workspace as d lists it, "" for none.
func memberRole(t *testing.T, d *fleet.Daemon, id string) string {
	t.Helper()
	for _, m := range fleet.Decode[[]chat.RoomMember](t, d.CLI("workspace", "members", "--json")) {
		if m.PeerID == id {
			return m.Role
		}
	}
	return ""
}

// An admin opens a pass for one newcomer and leaves. The newcomer's
// Hallway, given the pass code, is let in by a member and reaches every
// member; a second newcomer with the same code, and a stranger with the
// workspace key alone, get nowhere.
func TestPassRedeemedWhileNoAdminIsOnline(t *testing.T) {
	lab := netlab.New(t, 6)
	ds, invite := fleet.PrivateOffice(t, lab, []string{"Ann", "Bob", "Cat"})
	ann, bob, cat := ds[0], ds[1], ds[2]
	for _, d := range ds {
		d.WaitFor("every member in the workspace's log", 60*time.Second, func() bool {
			return len(fleet.Decode[[]chat.RoomMember](t, d.CLI("admin", "list", "--json"))) == len(ds)
		})
	}
	ann.CLI("policy", "set", "members.admission", "admins")
	if _, err := bob.CLIErr("workspace", "pass"); err == nil {
		t.Fatal("a member opened a pass")
	}
	pass := fleet.Decode[chat.WorkspacePass](t, ann.CLI("workspace", "pass", "--uses", "1", "--expires", "1d", "--json"))
	if pass.Code == "" || pass.Uses != 1 || !pass.Open {
		t.Fatalf("pass as opened: %+v", pass)
	}
	for _, d := range []*fleet.Daemon{bob, cat} {
		d.WaitFor("the pass in the log", 60*time.Second, func() bool {
			p, ok := passOf(t, d, pass.ID)
			return ok && p.Open
		})
	}
	if p, _ := passOf(t, bob, pass.ID); p.Code != "" {
		t.Fatal("a member's node lists the pass's code")
	}
	annID := ann.ID()
	ann.Stop()
	bob.WaitFor("Ann away", 60*time.Second, func() bool { return !bob.Online(annID) })

	// A stranger with the workspace key, while the pass is open: it may
	// connect to ask for entry, and gets nothing else.
	mal := fleet.New(t, lab.Host(4), "Mal")
	mal.CLI("workspace", "join", invite)
	mal.Start()
	malID := mal.ID()
	mal.CLI("send", "#general", "hello from a stranger")

	dan := fleet.New(t, lab.Host(5), "Dan")
	dan.CLI("workspace", "join", pass.Code)
	start := time.Now()
	dan.Start()
	danID := dan.ID()
	for _, d := range []*fleet.Daemon{bob, cat} {
		d.WaitFor("Dan let in by the pass and connected", 60*time.Second, func() bool {
			return d.Online(danID) && memberRole(t, d, danID) == chat.RoleMember
		})
	}
	t.Logf("entered by a pass: every member online lists the newcomer and connects to it %v after its start", time.Since(start).Round(time.Millisecond))
	dan.CLI("send", "#general", "hello, I came in by a pass")
	bob.WaitFor("Dan's post", 60*time.Second, func() bool {
		_, ok := messageByText(bob.History("#general"), "hello, I came in by a pass")
		return ok
	})
	cat.CLI("send", "#general", "welcome, Dan")
	dan.WaitFor("Cat's post", 60*time.Second, func() bool {
		_, ok := messageByText(dan.History("#general"), "welcome, Dan")
		return ok
	})
	// Dan's Hallway keeps the pass until its own log counts him in.
	dan.WaitLine("the pass is forgotten", 90*time.Second)
	if _, err := os.Stat(filepath.Join(dan.Dir, "workspace.pass")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the pass is still in Dan's data folder once his log counts him in: %v", err)
	}

	// The pass was for one: Eve, with the same code, is refused.
	eve := fleet.New(t, lab.Host(6), "Eve", "--verbose")
	eve.CLI("workspace", "join", pass.Code)
	eve.Start()
	eveID := eve.ID()
	// With the pass used up, the members' nodes refuse her connections,
	// and she fails to enter.
	eve.WaitLine(`msg="enter by the pass"`, 60*time.Second)
	for _, d := range []*fleet.Daemon{bob, cat, dan} {
		if d.Online(eveID) || memberRole(t, d, eveID) != "" {
			t.Fatalf("%s lets in a newcomer the pass did not cover (online %v, role %q)", d.Name, d.Online(eveID), memberRole(t, d, eveID))
		}
		if d.Online(malID) || memberRole(t, d, malID) != "" {
			t.Fatalf("%s lets in a stranger (online %v, role %q)", d.Name, d.Online(malID), memberRole(t, d, malID))
		}
		if _, ok := messageByText(d.History("#general"), "hello from a stranger"); ok {
			t.Fatalf("%s took the stranger's post", d.Name)
		}
	}
	if _, ok := messageByText(mal.History("#general"), "welcome, Dan"); ok {
		t.Fatal("the stranger received a member's post")
	}
	if p, _ := passOf(t, bob, pass.ID); p.Used != 1 || p.Open || !slices.Equal(p.Entrants, []string{danID}) {
		t.Fatalf("the pass at Bob: %+v", p)
	}

	// Back, the admin counts Dan in too, and does not let Eve in on the
	// pass its log had not seen used yet when it started.
	ann.Start()
	ann.WaitFor("Dan in the admin's log", 60*time.Second, func() bool { return memberRole(t, ann, danID) == chat.RoleMember })
	for _, d := range []*fleet.Daemon{ann, bob, cat} {
		if memberRole(t, d, eveID) != "" || memberRole(t, d, danID) != chat.RoleMember {
			t.Fatalf("%s: Eve %q, Dan %q once the admin is back", d.Name, memberRole(t, d, eveID), memberRole(t, d, danID))
		}
	}
}
