package rooms

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"

	ic "github.com/libp2p/go-libp2p/core/crypto"
)

// newcomer is a node that holds the workspace key of like's workspace and
// opens its workspace room, as `workspace join CODE` makes one: it joins
// the room with the key (a join naming no parents).
func newcomer(t *testing.T, like *testNode, room, name string) *testNode {
	t.Helper()
	key, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return newTestNodeConfig(t, name, Config{Identity: key, Workspace: like.cfg.Workspace, WorkspaceRoom: WorkspaceRoom{ID: room}}, nil)
}

// admission is the workspace admission n queued for a colleague.
func (n *testNode) admission(t *testing.T) *p2p.RoomInvite {
	t.Helper()
	n.keysMu.Lock()
	defer n.keysMu.Unlock()
	for _, dm := range n.dms {
		if meta, ok := strings.CutPrefix(dm, p2p.DMKindInvite+" "); ok {
			var inv p2p.RoomInvite
			if err := json.Unmarshal([]byte(meta), &inv); err != nil {
				t.Fatal(err)
			}
			return &inv
		}
	}
	t.Fatal("no admission queued")
	return nil
}

// While the policy admits members by admins, holding the key lets nobody
// in: a newcomer joins once an admin admitted it, a member's admission
// counts for nothing, and a revoked member is not let in again.
func TestAdmissionByAdmins(t *testing.T) {
	ctx := context.Background()
	room, nodes := workspace(t, "Ann", "Bob", "Mal")
	ann, bob, mal := nodes[0], nodes[1], nodes[2]
	early := newcomer(t, ann, room, "Eve") // came in by the key before the policy
	meshed(t, room, append(nodes, early)...)
	if !ann.Admits(early.id) {
		t.Fatal("by the key, the key's holder is let in")
	}
	if _, err := ann.SetPolicy(ctx, "members.admission", "admins"); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, append(nodes, early)...)

	cat := newcomer(t, ann, room, "Cat")
	dan := newcomer(t, ann, room, "Dan")
	all := append(nodes, early, cat, dan)
	meshed(t, room, all...)
	for _, n := range []*testNode{ann, bob, mal} {
		switch {
		case n.Admits(cat.id) || n.Admits(dan.id):
			t.Fatalf("%s lets in a key holder nobody admitted", n.id)
		case !n.Admits(early.id) || !n.Admits(bob.id):
			t.Fatalf("%s shuts out a member from before the policy", n.id)
		}
	}
	if err := bob.Admit(ctx, cat.id.String(), AdmitOptions{}); err == nil || !strings.Contains(err.Error(), "admin") {
		t.Fatalf("a member admitted a colleague: %v", err)
	}
	// A member's modified client admits Dan anyway, and Dan joins on it.
	forged, err := mal.poster.postOp(ctx, mal.Joined().Get(room), hcrypto.MemberOp{Kind: hcrypto.BodyAdd, Target: []byte(dan.id)})
	if err != nil {
		t.Fatal(err)
	}
	if err := dan.admitted(ctx, mal.id, &p2p.RoomInvite{Room: room, Key: dan.Joined().Get(room).key[:], Add: forged.Op.Hash[:]}); err != nil {
		t.Fatal(err)
	}
	if err := ann.Admit(ctx, cat.id.String(), AdmitOptions{}); err != nil {
		t.Fatal(err)
	}
	if !ann.Admits(cat.id) {
		t.Fatal("the admitted newcomer is not let in before it joins")
	}
	if role := memberRole(t, ann, cat.id.String()); role != chat.RoleAdmitted {
		t.Fatalf("Cat listed as %q before joining, want admitted", role)
	}
	cat.InviteReceived(ctx, ann.id, ann.admission(t))
	meshed(t, room, all...)
	for _, n := range []*testNode{ann, bob, mal, cat} {
		if !n.Admits(cat.id) || n.Admits(dan.id) {
			t.Fatalf("%s: Cat let in %v, Dan %v", n.id, n.Admits(cat.id), n.Admits(dan.id))
		}
		if _, in := n.Joined().Get(room).roster().role(cat.id.String()); !in {
			t.Fatalf("%s does not list Cat as a member", n.id)
		}
	}
	if role := memberRole(t, ann, cat.id.String()); role != chat.RoleMember {
		t.Fatalf("Cat listed as %q once joined, want member", role)
	}
	// A revoked member is out, and its key gets it nowhere.
	if err := ann.Revoke(ctx, early.id.String()); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, ann, bob, cat)
	for _, n := range []*testNode{ann, bob, cat} {
		if n.Admits(early.id) {
			t.Fatalf("%s lets the revoked member in", n.id)
		}
	}
}

// Turning admission by admins on keeps every member who came in by the
// key, however many joined at once: more than one operation can name.
func TestAdmissionKeepsEveryMemberOfBefore(t *testing.T) {
	ctx := context.Background()
	names := []string{"Ann"}
	for i := range hcrypto.MaxOpParents + 5 {
		names = append(names, string(rune('B'+i)))
	}
	room, nodes := workspace(t, names...)
	ann := nodes[0]
	if r := ann.Joined().Get(room).roster(); !r.headsLeft {
		t.Fatalf("%d heads: the test needs more than one operation names", len(r.heads))
	}
	p, err := ann.SetPolicy(ctx, "members.admission", "admins")
	if err != nil {
		t.Fatal(err)
	}
	if p.Version < 2 {
		t.Fatalf("version %d: no version gathered the heads first", p.Version)
	}
	meshed(t, room, nodes...)
	for _, n := range nodes {
		if !n.WorkspacePolicy().AdmitsByAdmins() {
			t.Fatalf("%s is not under the new policy", n.id)
		}
		for _, m := range nodes {
			if !n.Admits(m.id) {
				t.Fatalf("%s shuts out %s, a member from before", n.id, m.id)
			}
		}
	}
}

// The newcomer joins on the admission its log shows, even when the
// admission's DM never reached it (the admin who admitted it is away).
func TestAdmittedNewcomerJoinsFromTheLog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		room, nodes := admittingByAdmins(t, "Ann", "Bob")
		ann, bob := nodes[0], nodes[1]
		cat := newcomer(t, ann, room, "Cat")
		if err := ann.Admit(ctx, cat.id.String(), AdmitOptions{}); err != nil {
			t.Fatal(err)
		}
		meshed(t, room, ann, bob)
		disconnect(ann, cat)
		// Only Bob is there to sync with; the DM stays in Ann's outbox.
		connect(cat, bob)
		if err := cat.Syncer().pull(ctx, bob.id, []string{room}); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if err := bob.Syncer().pull(ctx, cat.id, []string{room}); err != nil {
			t.Fatal(err)
		}
		for _, n := range []*testNode{bob, cat} {
			if _, in := n.Joined().Get(room).roster().role(cat.id.String()); !in {
				t.Fatalf("%s does not list Cat as a member", n.id)
			}
		}
	})
}

// While the workspace admits by admins, a revocation moves #general to a
// new epoch whose key the revoking admin hands to the remaining members
// only; an admitted newcomer gets #general's keys with its admission; a
// member's key for #general is not taken.
func TestRevocationRekeysGeneral(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		room, nodes := admittingByAdmins(t, "Ann", "Bob", "Cat")
		ann, bob, cat := nodes[0], nodes[1], nodes[2]
		general := ann.general().id
		meshed(t, room, nodes...)
		if err := ann.Revoke(ctx, cat.id.String()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if ann.epoch(general) != 1 {
			t.Fatalf("#general at epoch %d after the revocation, want 1", ann.epoch(general))
		}
		keys := ann.sentKeys()
		var toBob []sentKey
		for _, k := range keys {
			if k.k.Room != general {
				continue
			}
			if k.to == cat.id {
				t.Fatal("the revoked member was handed #general's new key")
			}
			if k.to != bob.id || k.k.Epoch != 1 {
				t.Fatalf("#general's key of epoch %d went to %v, want Bob alone", k.k.Epoch, k.to)
			}
			// A handover decided before the re-key may send it again:
			// the same key twice changes nothing.
			if len(toBob) == 0 {
				toBob = append(toBob, k)
			}
		}
		if len(toBob) != 1 {
			t.Fatal("nobody was handed #general's new key")
		}
		meshed(t, room, ann, bob)
		handOver(t, ann, toBob, bob)
		if bob.epoch(general) != 1 {
			t.Fatalf("Bob's #general at epoch %d, want 1", bob.epoch(general))
		}
		// Bob, a member, hands Ann a #general key of his own: refused.
		forged := toBob[0].k
		forged.Epoch, forged.Key = 2, make([]byte, 32)
		bob.keysMu.Lock()
		bob.keys = append(bob.keys, sentKey{ann.id, forged})
		bob.keysMu.Unlock()
		handOver(t, bob, bob.sentKeys(), ann)
		if ann.epoch(general) != 1 {
			t.Fatal("a member's #general key was taken")
		}
		// A newcomer admitted now gets the keys with its admission.
		dan := newcomer(t, ann, room, "Dan")
		if err := ann.Admit(ctx, dan.id.String(), AdmitOptions{}); err != nil {
			t.Fatal(err)
		}
		got := false
		for _, k := range ann.sentKeys() {
			got = got || (k.to == dan.id && k.k.Room == general && k.k.Epoch == 1)
		}
		if !got {
			t.Fatal("the admitted newcomer was not handed #general's key")
		}
	})
}

// A member who joins by the key after the workspace room moved on (a
// revocation re-keyed it) holds its first key alone: an admin hands it
// the keys since, so it reads the admins' policy.
func TestNewMemberGetsTheWorkspaceRoomsKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		room, nodes := workspace(t, "Ann", "Bob", "Cat")
		ann, cat := nodes[0], nodes[2]
		if err := ann.Revoke(ctx, cat.id.String()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if ann.epoch(room) != 1 {
			t.Fatalf("the workspace room at epoch %d after the revocation, want 1", ann.epoch(room))
		}
		ann.sentKeys()
		dan := newcomer(t, ann, room, "Dan")
		meshed(t, room, ann, nodes[1], dan)
		synctest.Wait()
		handed := false
		for _, k := range ann.sentKeys() {
			handed = handed || (k.to == dan.id && k.k.Room == room && k.k.Epoch == 1)
		}
		if !handed {
			t.Fatal("the new member was not handed the workspace room's key")
		}
	})
}

// memberRole is p's role in n's list of the workspace's members, "" for
// none.
func memberRole(t *testing.T, n *testNode, p string) string {
	t.Helper()
	list, err := n.WorkspaceMembers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.PeerID == p {
			return m.Role
		}
	}
	return ""
}

// A membership statement that expires lets its colleague in until then,
// on every node, and no longer; the member list says until when.
func TestAdmissionExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		room, nodes := admittingByAdmins(t, "Ann", "Bob")
		ann, bob := nodes[0], nodes[1]
		cat := newcomer(t, ann, room, "Cat")
		if err := ann.Admit(ctx, cat.id.String(), AdmitOptions{Name: "Cat (contractor)", Expires: time.Hour}); err != nil {
			t.Fatal(err)
		}
		cat.InviteReceived(ctx, ann.id, ann.admission(t))
		meshed(t, room, ann, bob, cat)
		// Cat learns only now that her join by the key does not count:
		// she joins again on the admission, and the mesh brings it.
		synctest.Wait()
		meshed(t, room, ann, bob, cat)
		for _, n := range []*testNode{ann, bob} {
			if !n.Admits(cat.id) {
				t.Fatalf("%s refuses Cat before her membership expires", n.id)
			}
		}
		list, _ := bob.WorkspaceMembers(ctx)
		for _, m := range list {
			if m.PeerID == cat.id.String() && (m.Role != chat.RoleMember || m.Expires.IsZero()) {
				t.Fatalf("Bob lists Cat as %+v, want a member until a date", m)
			}
		}
		time.Sleep(time.Hour + time.Minute)
		for _, n := range []*testNode{ann, bob} {
			if n.Admits(cat.id) || !n.Admits(bob.id) {
				t.Fatalf("%s: after the expiry Cat let in %v, Bob %v", n.id, n.Admits(cat.id), n.Admits(bob.id))
			}
		}
		if err := ann.Admit(ctx, cat.id.String(), AdmitOptions{}); err == nil || !strings.Contains(err.Error(), "revok") {
			t.Fatalf("admitting a member again: %v", err)
		}
	})
}

// A member away when an admin revoked someone gets #general's new key
// from any admin it syncs with, not only from the revoking admin's
// outbox; a member who is no admin hands nothing.
func TestAnyAdminHandsGeneralsNewKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		room, nodes := admittingByAdmins(t, "Ann", "Bob", "Cat", "Dan", "Eve")
		ann, bob, cat, dan, eve := nodes[0], nodes[1], nodes[2], nodes[3], nodes[4]
		general := ann.general().id
		if err := ann.SetAdmin(ctx, bob.id.String(), true); err != nil {
			t.Fatal(err)
		}
		meshed(t, room, nodes...)
		if err := ann.Revoke(ctx, eve.id.String()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		var toBob []sentKey
		for _, k := range ann.sentKeys() {
			if k.k.Room == general && k.to == bob.id {
				toBob = append(toBob, k)
			}
		}
		meshed(t, room, ann, bob, cat, dan)
		handOver(t, ann, toBob, bob) // Cat and Dan were away: Ann's DMs to them wait
		if bob.epoch(general) != 1 || cat.epoch(general) != 0 {
			t.Fatalf("#general at Bob %d, at Cat %d", bob.epoch(general), cat.epoch(general))
		}
		// Cat syncs #general with Dan, a member, then with Bob, an admin.
		for _, from := range []*testNode{dan, bob} {
			if err := cat.Syncer().pull(ctx, from.id, []string{general}); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		if keys := dan.sentKeys(); len(keys) != 0 {
			t.Fatalf("a member handed #general keys: %v", keys)
		}
		handOver(t, bob, bob.sentKeys(), cat)
		if cat.epoch(general) != 1 {
			t.Fatal("Cat did not get #general's new key from Bob")
		}
	})
}
