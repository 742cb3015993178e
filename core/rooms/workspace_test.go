package rooms

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/policy"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// workspace makes a private workspace whose room the first name created;
// the others joined it with the workspace key.
func workspace(t *testing.T, names ...string) (string, []*testNode) {
	t.Helper()
	ws, err := hcrypto.NewWorkspaceKey()
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*testNode
	var wr WorkspaceRoom
	for i, name := range names {
		key, _, err := ic.GenerateEd25519Key(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Identity: key, Workspace: &ws}
		if i == 0 {
			id, _ := peer.IDFromPrivateKey(key)
			room, seed, err := hcrypto.NewOwnedRoomID([]byte(id))
			if err != nil {
				t.Fatal(err)
			}
			wr = WorkspaceRoom{ID: room, Seed: seed}
			cfg.WorkspaceRoom = wr
		} else {
			cfg.WorkspaceRoom = WorkspaceRoom{ID: wr.ID}
		}
		nodes = append(nodes, newTestNodeConfig(t, name, cfg, nil))
	}
	meshed(t, wr.ID, nodes...)
	return wr.ID, nodes
}

// admittingByAdmins is workspace, whose creator (the first of names) then
// has it admit members by admins' admissions and passes alone.
func admittingByAdmins(t *testing.T, names ...string) (string, []*testNode) {
	t.Helper()
	room, nodes := workspace(t, names...)
	if _, err := nodes[0].SetPolicy(context.Background(), "members.admission", "admins"); err != nil {
		t.Fatal(err)
	}
	return room, nodes
}

func policyOf(n *testNode) uint64 { return n.WorkspacePolicy().Version }

func TestWorkspaceAdminsSetThePolicyEveryMemberKeeps(t *testing.T) {
	ctx := context.Background()
	room, nodes := workspace(t, "Ann", "Bob", "Cat")
	ann, bob, cat := nodes[0], nodes[1], nodes[2]
	if !ann.IsWorkspaceAdmin(ann.id) || bob.IsWorkspaceAdmin(bob.id) || !cat.IsWorkspaceAdmin(ann.id) {
		t.Fatal("the creator is not the one admin everywhere")
	}
	// The workspace room is nobody's room to see or post to.
	for _, ref := range []string{"#workspace", room} {
		if _, err := ann.Send(ctx, ref, "hello"); err == nil {
			t.Fatalf("posted to the workspace room as %s", ref)
		}
	}
	if rooms, _ := ann.List(ctx); len(rooms) != 1 || !rooms[0].General {
		t.Fatalf("rooms listed: %+v, want #general alone", rooms)
	}

	if _, err := bob.SetPolicy(ctx, "files.blocked", ".exe"); err == nil || !strings.Contains(err.Error(), "admin") {
		t.Fatalf("a member set the policy: %v", err)
	}
	p, err := ann.SetPolicy(ctx, "files.blocked", ".exe,.bat")
	if err != nil || p.Version != 1 || p.SetBy != ann.id.String() {
		t.Fatalf("the admin's policy: %+v, %v", p, err)
	}
	meshed(t, room, nodes...)
	for _, n := range nodes {
		if d := n.WorkspacePolicy(); d.Version != 1 || strings.Join(d.Files.Blocked, ",") != ".bat,.exe" {
			t.Fatalf("%s keeps %+v", n.id, d)
		}
	}

	// Ann names Bob an admin; his version reaches Cat.
	if err := bob.SetAdmin(ctx, cat.id.String(), true); err == nil {
		t.Fatal("a member named an admin")
	}
	if err := ann.SetAdmin(ctx, bob.id.String(), true); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes...)
	if _, err := bob.SetPolicy(ctx, "files.max_size", "10M"); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes...)
	if d := cat.WorkspacePolicy(); d.Version != 2 || d.Files.MaxSize != 10<<20 || len(d.Files.Blocked) != 2 {
		t.Fatalf("Cat keeps %+v", d)
	}
	if h, _ := cat.PolicyHistory(ctx); len(h) != 2 || h[1].SetBy != bob.id.String() {
		t.Fatalf("history %+v", h)
	}
	members, err := cat.WorkspaceMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, m := range members {
		roles[m.PeerID] = m.Role
	}
	if roles[ann.id.String()] != chat.RoleOwner || roles[bob.id.String()] != chat.RoleAdmin || roles[cat.id.String()] != chat.RoleMember {
		t.Fatalf("roles %v", roles)
	}
	// Bob may not demote the creator, nor Ann herself.
	if err := bob.SetAdmin(ctx, ann.id.String(), false); err == nil {
		t.Fatal("an admin demoted the workspace's creator")
	}
}

// forgePolicy posts a policy operation as n, past every check of its own
// node: what a modified client would send.
func forgePolicy(t *testing.T, n *testNode, room string, doc []byte) hcrypto.OpHash {
	t.Helper()
	j := n.Joined().Get(room)
	e, err := n.poster.postOp(context.Background(), j, hcrypto.MemberOp{Kind: hcrypto.BodyPolicy, Payload: doc})
	if err != nil {
		t.Fatal(err)
	}
	return e.Op.Hash
}

func TestForgedOlderAndTamperedPoliciesAreRefusedEverywhere(t *testing.T) {
	ctx := context.Background()
	room, nodes := workspace(t, "Ann", "Bob", "Mal")
	ann, mal := nodes[0], nodes[2]
	if _, err := ann.SetPolicy(ctx, "files", "off"); err != nil {
		t.Fatal(err)
	}
	if _, err := ann.SetPolicy(ctx, "rooms.create", "admins"); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes...)

	lax := policy.Document{Version: 9}.Marshal()
	forged := []hcrypto.OpHash{
		forgePolicy(t, mal, room, lax),                         // a non-admin's
		forgePolicy(t, mal, room, []byte(`{"version":10,"x"`)), // does not parse
	}
	older := forgePolicy(t, ann, room, policy.Document{Version: 1}.Marshal()) // an admin's, but older
	again := forgePolicy(t, ann, room, policy.Document{Version: 2}.Marshal()) // the version in force, again
	meshed(t, room, nodes...)
	for _, n := range nodes {
		d := n.WorkspacePolicy()
		if d.Version != 2 || !d.Files.Disabled || d.RoomCreation != policy.RoomsByAdmins {
			t.Fatalf("%s keeps %+v", n.id, d)
		}
		r := n.Joined().Get(room).roster()
		for _, h := range append(forged, older, again) {
			if r.refused[h] == "" {
				t.Fatalf("%s did not refuse a policy operation", n.id)
			}
		}
	}
	// A policy in an ordinary room changes nothing either.
	proj := project(t, ann, nodes[1])
	h := forgePolicy(t, ann, proj, policy.Document{Version: 5}.Marshal())
	if ann.Joined().Get(proj).roster().refused[h] == "" || policyOf(ann) != 2 {
		t.Fatal("a policy outside the workspace room was taken")
	}
}

// Two admins set the same version at once, each unaware of the other:
// every member keeps the same one of the two.
func TestConcurrentPolicyVersionsResolveTheSameEverywhere(t *testing.T) {
	ctx := context.Background()
	room, nodes := workspace(t, "Ann", "Bob", "Cat")
	ann, bob := nodes[0], nodes[1]
	if err := ann.SetAdmin(ctx, bob.id.String(), true); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes...)
	// Bob is cut off from the others while both edit.
	disconnect(bob, ann)
	disconnect(bob, nodes[2])
	a, err := ann.SetPolicy(ctx, "files.max_size", "5M")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bob.SetPolicy(ctx, "files.max_size", "7M")
	if err != nil {
		t.Fatal(err)
	}
	if a.Version != 1 || b.Version != 1 {
		t.Fatalf("versions %d and %d, want both 1", a.Version, b.Version)
	}
	meshed(t, room, nodes...) // connects them again
	want := nodes[2].WorkspacePolicy()
	if want.Version != 1 || (want.Files.MaxSize != 5<<20 && want.Files.MaxSize != 7<<20) {
		t.Fatalf("Cat keeps %+v", want)
	}
	for _, n := range nodes {
		if d := n.WorkspacePolicy(); d.Files.MaxSize != want.Files.MaxSize {
			t.Fatalf("members disagree: %d and %d", d.Files.MaxSize, want.Files.MaxSize)
		}
	}
	// The next version builds on the one kept, wherever it is set.
	if _, err := bob.SetPolicy(ctx, "files", "off"); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes...)
	if d := ann.WorkspacePolicy(); d.Version != 2 || !d.Files.Disabled || d.Files.MaxSize != want.Files.MaxSize {
		t.Fatalf("after the next version: %+v", d)
	}
}

func TestWorkspacePolicyLimitsRoomCreationToAdmins(t *testing.T) {
	ctx := context.Background()
	room, nodes := workspace(t, "Ann", "Bob")
	ann, bob := nodes[0], nodes[1]
	if _, err := bob.Create(ctx, "#before"); err != nil {
		t.Fatal(err)
	}
	if _, err := ann.SetPolicy(ctx, "rooms.create", "admins"); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes...)
	if _, err := bob.Create(ctx, "#after"); err == nil || !strings.Contains(err.Error(), "only admins") {
		t.Fatalf("a member made a room against the policy: %v", err)
	}
	if _, err := ann.Create(ctx, "#after"); err != nil {
		t.Fatal(err)
	}
}

// An admin's revocation reaches every member's log; a member's does not
// count, and the revoked member is listed as such.
func TestRevokedMemberIsRefusedByEveryNode(t *testing.T) {
	ctx := context.Background()
	room, nodes := workspace(t, "Ann", "Bob", "Cat", "Mal")
	ann, bob, mal := nodes[0], nodes[1], nodes[3]
	if err := bob.Revoke(ctx, mal.id.String()); err == nil {
		t.Fatal("a member revoked a colleague")
	}
	if err := ann.Revoke(ctx, ann.id.String()); err == nil {
		t.Fatal("the creator revoked herself")
	}
	if err := ann.Revoke(ctx, mal.id.String()); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes[:3]...)
	for _, n := range nodes[:3] {
		if !n.IsRevoked(mal.id) || n.IsRevoked(bob.id) {
			t.Fatalf("%s: Mal revoked %v, Bob revoked %v", n.id, n.IsRevoked(mal.id), n.IsRevoked(bob.id))
		}
	}
	list, err := bob.WorkspaceMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, m := range list {
		roles[m.PeerID] = m.Role
	}
	if len(roles) != 4 || roles[mal.id.String()] != chat.RoleRevoked {
		t.Fatalf("members as Bob lists them: %v", roles)
	}
	// Mal, still holding the keys, joins again as any key holder does:
	// its operations past its cutoff count nowhere.
	if _, err := mal.poster.postOp(ctx, mal.Joined().Get(room), hcrypto.MemberOp{Kind: hcrypto.BodyJoin}); err != nil {
		t.Fatal(err)
	}
	connect(mal, ann)
	if err := ann.Syncer().pull(ctx, mal.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	if !ann.IsRevoked(mal.id) || ann.IsWorkspaceAdmin(mal.id) {
		t.Fatal("the revoked member's own operations let it back in")
	}
}

// A new policy is announced as such; the workspace room's messages are
// never announced as messages (nobody is shown that room).
func TestPolicyAnnouncedNotItsMessages(t *testing.T) {
	ctx := context.Background()
	room, nodes := workspace(t, "Ann", "Bob")
	ann, bob := nodes[0], nodes[1]
	drain := func(n *testNode) (policies []uint64, messages int) {
		for {
			select {
			case e := <-n.bus.events:
				switch e := e.(type) {
				case chat.PolicyChanged:
					policies = append(policies, e.Policy.Version)
				case chat.MessageReceived:
					if e.Message.Conversation == chat.RoomConv(room).String() {
						messages++
					}
				case chat.MessageSent:
					if e.Message.Conversation == chat.RoomConv(room).String() {
						messages++
					}
				}
			default:
				return policies, messages
			}
		}
	}
	drain(bob)
	if _, err := ann.SetPolicy(ctx, "files", "off"); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes...)
	for _, n := range nodes {
		if policies, messages := drain(n); len(policies) != 1 || policies[0] != 1 || messages != 0 {
			t.Fatalf("%s announced policies %v and %d workspace room messages", n.id, policies, messages)
		}
	}
}

// Each member acknowledges the acceptable-use notice, signed; a new
// notice needs a new acknowledgement.
func TestNoticeAcknowledgements(t *testing.T) {
	ctx := context.Background()
	room, nodes := workspace(t, "Ann", "Bob")
	ann, bob := nodes[0], nodes[1]
	if p, _ := bob.Policy(ctx); !p.NoticeAcknowledged {
		t.Fatal("nothing to acknowledge, yet not acknowledged")
	}
	if _, err := bob.AcknowledgeNotice(ctx); err == nil {
		t.Fatal("acknowledged a notice that does not exist")
	}
	if _, err := ann.SetPolicy(ctx, "notice", "Be kind; no customer data in #general."); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes...)
	if p, _ := bob.Policy(ctx); p.NoticeAcknowledged {
		t.Fatal("acknowledged before reading it")
	}
	if p, err := bob.AcknowledgeNotice(ctx); err != nil || !p.NoticeAcknowledged {
		t.Fatalf("after acknowledging: %+v, %v", p, err)
	}
	meshed(t, room, nodes...)
	if p, _ := ann.Policy(ctx); len(p.AcknowledgedBy) != 1 || p.AcknowledgedBy[0] != bob.id.String() {
		t.Fatalf("Ann sees acknowledgements by %v", p.AcknowledgedBy)
	}
	if _, err := ann.SetPolicy(ctx, "notice", "Be kind, and lock your screen."); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes...)
	if p, _ := bob.Policy(ctx); p.NoticeAcknowledged || len(p.AcknowledgedBy) != 0 {
		t.Fatalf("a new notice counted the old acknowledgement: %+v", p)
	}
}
