package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallway/archive"
	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
	"hallway/policy"
)

// policyOf is the workspace policy d enforces, as `policy show` says.
func policyOf(t *testing.T, d *fleet.Daemon) (chat.Policy, policy.Document) {
	t.Helper()
	p := fleet.Decode[chat.Policy](t, d.CLI("policy", "show", "--json"))
	var doc policy.Document
	if err := json.Unmarshal(p.Document, &doc); err != nil {
		t.Fatalf("%s: policy document: %v", d.Name, err)
	}
	return p, doc
}

// A policy set by an admin reaches every node of six and each enforces
// it: a blocked file type is refused by every receiver, whatever the
// sender's client did, and a retention change is applied everywhere. A
// member's `policy set` is refused; an admin names another.
func TestWorkspacePolicyEnforcedByEveryNode(t *testing.T) {
	lab := netlab.New(t, 7)
	ds, code := fleet.PrivateOffice(t, lab, []string{"Ann", "Bob", "Cat", "Dan", "Eve", "Fay"})
	ann, bob := ds[0], ds[1]
	for _, d := range ds {
		d.WaitFor("every member in the workspace's log", 60*time.Second, func() bool {
			return len(fleet.Decode[[]chat.RoomMember](t, d.CLI("admin", "list", "--json"))) == len(ds)
		})
	}
	roles := map[string]string{}
	for _, m := range fleet.Decode[[]chat.RoomMember](t, bob.CLI("admin", "list", "--json")) {
		roles[m.PeerID] = m.Role
	}
	if roles[ann.ID()] != chat.RoleOwner || roles[bob.ID()] != chat.RoleMember {
		t.Fatalf("roles as Bob sees them: %v", roles)
	}

	if out, err := bob.CLIErr("policy", "set", "files.blocked", ".exe"); err == nil || !strings.Contains(err.Error(), "only a workspace admin") {
		t.Fatalf("a member's policy set: %v %q", err, out)
	}
	start := time.Now()
	ann.CLI("policy", "set", "files.blocked", ".exe,.bat")
	var slowest time.Duration
	for _, d := range ds {
		took := d.WaitFor("policy version 1", 60*time.Second, func() bool {
			p, doc := policyOf(t, d)
			return p.Version == 1 && strings.Join(doc.Files.Blocked, ",") == ".bat,.exe" && p.SetBy == ann.ID()
		})
		slowest = max(slowest, took)
	}
	t.Logf("policy version 1 in force on %d nodes %v after it was set (slowest wait %v)", len(ds), time.Since(start).Round(time.Millisecond), slowest.Round(time.Millisecond))

	// Ann names Bob an admin; Bob's retention change is applied everywhere.
	ann.CLI("admin", "add", bob.ID())
	bob.WaitFor("admin rights", 60*time.Second, func() bool {
		for _, m := range fleet.Decode[[]chat.RoomMember](t, bob.CLI("admin", "list", "--json")) {
			if m.PeerID == bob.ID() {
				return m.Role == chat.RoleAdmin
			}
		}
		return false
	})
	bob.CLI("policy", "set", "retention.days", "30")
	for _, d := range ds {
		d.WaitFor("the workspace's retention", 60*time.Second, func() bool {
			st := fleet.Decode[map[string]any](t, d.CLI("retention", "--json"))
			return st["workspace_days"] == float64(30)
		})
		if out, err := d.CLIErr("retention", "set", "365"); err == nil || !strings.Contains(err.Error(), "workspace policy") {
			t.Fatalf("%s changed the retention the policy sets: %v %q", d.Name, err, out)
		}
	}

	// The acceptable-use notice: each member's signed acknowledgement
	// reaches the admin.
	ann.CLI("policy", "set", "notice", "No customer data in #general.")
	for _, d := range ds[2:4] {
		d.WaitFor("the notice", 60*time.Second, func() bool {
			_, doc := policyOf(t, d)
			return doc.Notice != ""
		})
		d.CLI("policy", "acknowledge")
	}
	ann.WaitFor("two acknowledgements", 60*time.Second, func() bool {
		p, _ := policyOf(t, ann)
		return len(p.AcknowledgedBy) == 2 && !p.NoticeAcknowledged
	})

	// A legal hold placed by an admin is kept by every node; nobody
	// releases it, or places one, by themselves.
	bob.CLI("policy", "set", "hold.workspace", "audit 2026")
	for _, d := range ds {
		var id string
		d.WaitFor("the admins' legal hold", 60*time.Second, func() bool {
			st := fleet.Decode[struct {
				Holds []struct{ ID, Scope, Reason string }
			}](t, d.CLI("retention", "--json"))
			for _, h := range st.Holds {
				if h.Scope == "workspace" && h.Reason == "audit 2026" {
					id = h.ID
					return true
				}
			}
			return false
		})
		if _, err := d.CLIErr("retention", "release", id); err == nil || !strings.Contains(err.Error(), "admins") {
			t.Fatalf("%s released the admins' hold: %v", d.Name, err)
		}
		if _, err := d.CLIErr("retention", "hold", "--reason", "mine"); err == nil || !strings.Contains(err.Error(), "admins") {
			t.Fatalf("%s placed a hold by itself: %v", d.Name, err)
		}
	}

	// A colleague whose modified client ignores the policy offers an
	// .exe: every receiver refuses it.
	inv, err := hcrypto.ParseInvite(code)
	if err != nil {
		t.Fatal(err)
	}
	mal, err := adversary.New(adversary.Config{NS: lab.Host(7), IP: lab.Host(7).IP, PSK: inv.Key.PSK()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mal.Close() })
	mal.SinkProfiles()
	tool := adversary.NewContent("tool.exe", false, adversary.ContentEntry{Path: "tool.exe", Data: []byte("MZ not really a program")})
	mal.ServeContent(tool)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i, d := range ds {
		id, err := mal.Connect(ctx, d.Self().Addrs[0])
		if err != nil {
			t.Fatalf("Mal cannot reach %s: %v", d.Name, err)
		}
		offer := tool.Offer(fmt.Sprintf("gov-exe-%d", i))
		if err := mal.OfferFile(ctx, id, offer); err != nil {
			t.Fatal(err)
		}
		d.WaitFor("the offer", 30*time.Second, func() bool { _, ok := d.Transfer(offer.ID); return ok })
		if out, err := d.CLIErr("file", "accept", offer.ID); err == nil || !strings.Contains(err.Error(), ".exe files are not accepted") {
			t.Fatalf("%s accepted a type the workspace blocks: %v %q", d.Name, err, out)
		}
		if tr, _ := d.Transfer(offer.ID); tr.State != "declined" {
			t.Fatalf("%s left the offer %s", d.Name, tr.State)
		}
	}
	if n := tool.ChunkRequests.Load(); n != 0 {
		t.Fatalf("%d chunk requests for a blocked type", n)
	}
	// The admins' actions are in every member's signed export.
	rec := filepath.Join(t.TempDir(), "records.json")
	ds[2].CLI("export", "--out", rec)
	b, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), `"kind": "policy"`) + strings.Count(string(b), `"kind":"policy"`); n != 4 {
		t.Fatalf("the export holds %d policy versions, want 4", n)
	}
	if !strings.Contains(string(b), `"kind": "role"`) && !strings.Contains(string(b), `"kind":"role"`) {
		t.Fatal("the export holds no admin grant")
	}
	if n := strings.Count(string(b), `"kind": "ack"`) + strings.Count(string(b), `"kind":"ack"`); n != 2 {
		t.Fatalf("the export holds %d acknowledgements, want 2", n)
	}
	// verify-export replays the workspace's log from the export alone:
	// every action was its author's right, and the version in force is
	// the last one.
	rep := fleet.Decode[archive.Report](t, ds[2].CLI("verify-export", rec, "--json"))
	var wsLog *archive.LogResult
	for i := range rep.Logs {
		if rep.Logs[i].Workspace {
			wsLog = &rep.Logs[i]
		}
	}
	if wsLog == nil || !wsLog.Replayed || wsLog.Policy != 4 || len(wsLog.Refused) != 0 || wsLog.Members[ds[0].ID()] != "owner" {
		t.Fatalf("the workspace log's audit: %+v", wsLog)
	}

	// Their own client refuses to send one.
	if out, err := ds[2].CLIErr("file", "send", ds[3].ID(), writeTemp(t, "setup.exe")); err == nil || !strings.Contains(err.Error(), "workspace policy") {
		t.Fatalf("Cat sent a blocked type: %v %q", err, out)
	}
}

// writeTemp writes a small file named name for a daemon to send.
func writeTemp(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte("a few bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// An admin revokes a member: within moments every node drops and refuses
// its connections, it is listed as revoked, and the others carry on.
func TestRevokedMemberIsShutOut(t *testing.T) {
	lab := netlab.New(t, 4)
	ds, _ := fleet.PrivateOffice(t, lab, []string{"Ann", "Bob", "Cat", "Dan"})
	ann, bob, dan := ds[0], ds[1], ds[3]
	for _, d := range ds {
		d.WaitFor("every member in the workspace's log", 60*time.Second, func() bool {
			return len(fleet.Decode[[]chat.RoomMember](t, d.CLI("admin", "list", "--json"))) == len(ds)
		})
	}
	if _, err := bob.CLIErr("workspace", "revoke", dan.ID()); err == nil || !strings.Contains(err.Error(), "only a workspace admin") {
		t.Fatalf("a member revoked a colleague: %v", err)
	}
	start := time.Now()
	ann.CLI("workspace", "revoke", dan.ID())
	for _, d := range ds[:3] {
		d.WaitFor("Dan shut out", 60*time.Second, func() bool { return !d.Online(dan.ID()) })
	}
	dan.WaitFor("nobody left to talk to", 60*time.Second, func() bool {
		for _, c := range dan.Peers() {
			if c.Online {
				return false
			}
		}
		return true
	})
	t.Logf("revoked: every node dropped Dan %v after the revocation", time.Since(start).Round(time.Millisecond))
	roles := map[string]string{}
	for _, m := range fleet.Decode[[]chat.RoomMember](t, bob.CLI("workspace", "members", "--json")) {
		roles[m.PeerID] = m.Role
	}
	if roles[dan.ID()] != chat.RoleRevoked {
		t.Fatalf("Bob lists %v", roles)
	}
	// Back from a restart, Dan is refused again: nothing he says arrives.
	dan.Stop()
	dan.Start()
	dan.CLI("send", bob.ID(), "let me back in")
	dan.CLI("send", "#general", "still here?")
	ann.CLI("send", "#general", "after the revocation")
	bob.WaitFor("Ann's post", 60*time.Second, func() bool {
		_, ok := messageByText(bob.History("#general"), "after the revocation")
		return ok
	})
	for _, d := range ds[:3] {
		if d.Online(dan.ID()) {
			t.Fatalf("%s lets Dan connect again", d.Name)
		}
		for _, conv := range []string{dan.ID(), "#general"} {
			for _, text := range []string{"let me back in", "still here?"} {
				if _, ok := messageByText(d.History(conv), text); ok {
					t.Fatalf("%s took Dan's %q", d.Name, text)
				}
			}
		}
	}
	if _, ok := messageByText(dan.History("#general"), "after the revocation"); ok {
		t.Fatal("Dan received a post made after his revocation")
	}
}

// While the workspace admits members by admins, the workspace key alone
// gets a fresh identity nowhere: no member connects to it or takes what it
// sends, until an admin admits it by its key. Then it is a member like
// any other. A revoked member's key pair is refused too.
func TestAdmissionShutsOutUnadmittedKeys(t *testing.T) {
	lab := netlab.New(t, 5)
	ds, code := fleet.PrivateOffice(t, lab, []string{"Ann", "Bob", "Cat", "Dan"})
	ann, bob, dan := ds[0], ds[1], ds[3]
	for _, d := range ds {
		d.WaitFor("every member in the workspace's log", 60*time.Second, func() bool {
			return len(fleet.Decode[[]chat.RoomMember](t, d.CLI("admin", "list", "--json"))) == len(ds)
		})
	}
	ann.CLI("policy", "set", "members.admission", "admins")
	for _, d := range ds {
		d.WaitFor("admission by admins in force", 60*time.Second, func() bool {
			var doc policy.Document
			p := fleet.Decode[chat.Policy](t, d.CLI("policy", "show", "--json"))
			return json.Unmarshal(p.Document, &doc) == nil && doc.AdmitsByAdmins()
		})
	}
	// Every member from before stays connected.
	for _, d := range ds {
		for _, o := range ds {
			if d != o && !d.Online(o.ID()) {
				t.Fatalf("%s no longer connects to %s, a member from before", d.Name, o.Name)
			}
		}
	}
	ann.CLI("workspace", "revoke", dan.ID())
	// #general moves to a new key that Dan, who keeps the workspace key
	// #general's first key derives from, is not handed.
	general, _ := ann.RoomSecret("#general")
	for _, d := range ds[:3] {
		d.WaitFor("#general's new key", 60*time.Second, func() bool { return len(d.EpochKeys(general, 1)) > 0 })
	}
	if len(dan.EpochKeys(general, 1)) != 0 {
		t.Fatal("the revoked member holds #general's new key")
	}

	// Eve holds the workspace key (the invite code) and a key pair nobody
	// admitted.
	eve := fleet.New(t, lab.Host(5), "Eve")
	eve.CLI("workspace", "join", code)
	eve.Start()
	eveID := eve.ID()
	eve.CLI("send", "#general", "hello from a stranger")
	ann.CLI("send", "#general", "for members only")
	bob.WaitFor("Ann's post", 60*time.Second, func() bool {
		_, ok := messageByText(bob.History("#general"), "for members only")
		return ok
	})
	for _, d := range ds[:3] {
		d.WaitFor("Dan shut out", 60*time.Second, func() bool { return !d.Online(dan.ID()) })
		if d.Online(eveID) {
			t.Fatalf("%s lets an unadmitted key pair connect", d.Name)
		}
		if _, ok := messageByText(d.History("#general"), "hello from a stranger"); ok {
			t.Fatalf("%s took a post of an unadmitted key pair", d.Name)
		}
	}
	if _, ok := messageByText(eve.History("#general"), "for members only"); ok {
		t.Fatal("an unadmitted key pair received a member's post")
	}

	// A member cannot admit; an admin can, and Eve is in.
	if _, err := bob.CLIErr("workspace", "admit", eveID); err == nil || !strings.Contains(err.Error(), "admin") {
		t.Fatalf("a member admitted a colleague: %v", err)
	}
	start := time.Now()
	ann.CLI("workspace", "admit", eveID)
	for _, d := range ds[:3] {
		d.WaitFor("Eve admitted and connected", 60*time.Second, func() bool { return d.Online(eveID) })
	}
	bob.WaitFor("Eve a member", 60*time.Second, func() bool {
		for _, m := range fleet.Decode[[]chat.RoomMember](t, bob.CLI("workspace", "members", "--json")) {
			if m.PeerID == eveID {
				return m.Role == chat.RoleMember
			}
		}
		return false
	})
	t.Logf("admitted: every member connects to the newcomer and lists it %v after the admission", time.Since(start).Round(time.Millisecond))
	eve.CLI("send", "#general", "hello as a member")
	bob.WaitFor("Eve's post as a member", 60*time.Second, func() bool {
		_, ok := messageByText(bob.History("#general"), "hello as a member")
		return ok
	})
	// She was handed #general's new key with her admission.
	bob.CLI("send", "#general", "welcome, Eve")
	eve.WaitFor("a post under #general's new key", 60*time.Second, func() bool {
		_, ok := messageByText(eve.History("#general"), "welcome, Eve")
		return ok
	})
	if len(eve.EpochKeys(general, 1)) == 0 {
		t.Fatal("the admitted newcomer lacks #general's new key")
	}
	if dan.Online(eveID) || eve.Online(dan.ID()) {
		t.Fatal("the revoked member reaches the newcomer")
	}
}
