package rooms

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"testing"

	"hallway/chat"
	hcrypto "hallway/crypto"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// logBuilder makes the operations of one room by hand, for the replay.
type logBuilder struct {
	t    *testing.T
	room string
	seed []byte
	seq  map[string]uint64
}

func newPeerID(t *testing.T) string {
	t.Helper()
	key, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := peer.IDFromPrivateKey(key)
	return id.String()
}

func newLog(t *testing.T, owner string) *logBuilder {
	id, _ := peer.Decode(owner)
	room, seed, err := hcrypto.NewOwnedRoomID([]byte(id))
	if err != nil {
		t.Fatal(err)
	}
	return &logBuilder{t: t, room: room, seed: seed, seq: map[string]uint64{}}
}

// op is an operation of author's with the given envelope id (which decides
// the order among concurrent ones).
func (b *logBuilder) op(id, author string, kind hcrypto.BodyKind, target string, parents ...logOp) logOp {
	b.seq[author]++
	o := hcrypto.MemberOp{Kind: kind}
	if target != "" {
		p, _ := peer.Decode(target)
		o.Target = []byte(p)
	}
	if kind == hcrypto.BodyCreate {
		o.Target = b.seed
	}
	var hs []hcrypto.OpHash
	for _, p := range parents {
		hs = append(hs, p.hash)
	}
	o.Parents = parentsOf(nil, hs)
	h := hcrypto.HashOp([]byte(fmt.Sprintf("%s/%s/%d", b.room, author, b.seq[author])))
	return logOp{hash: h, id: id, author: author, seq: b.seq[author], op: o}
}

func (b *logBuilder) role(o logOp, r hcrypto.Role) logOp {
	o.op.Role = r
	return o
}

func (b *logBuilder) remove(o logOp, cutoff uint64) logOp {
	o.op.Cutoff = cutoff
	return o
}

// shuffled replays ops in several arrival orders and checks they agree.
func shuffled(t *testing.T, room string, ops ...logOp) *roster {
	t.Helper()
	first := replay(room, genesis{}, ops)
	for range 20 {
		perm := append([]logOp(nil), ops...)
		mrand.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		r := replay(room, genesis{}, perm)
		if fmt.Sprint(r.roles, r.cutoffs, r.refused) != fmt.Sprint(first.roles, first.cutoffs, first.refused) {
			t.Fatalf("arrival order changes the outcome:\n%v\n%v", r.roles, first.roles)
		}
	}
	return first
}

func wantRoles(t *testing.T, r *roster, want map[string]hcrypto.Role) {
	t.Helper()
	if fmt.Sprint(r.roles) != fmt.Sprint(want) {
		t.Fatalf("roles %v, want %v (refused: %v)", r.roles, want, r.refused)
	}
}

func TestReplayAppliesRightsInCausalOrder(t *testing.T) {
	own, adm, mem := newPeerID(t), newPeerID(t), newPeerID(t)
	b := newLog(t, own)
	create := b.op("c", own, hcrypto.BodyCreate, "")
	addA := b.op("a1", own, hcrypto.BodyAdd, adm, create)
	joinA := b.op("a2", adm, hcrypto.BodyJoin, "", addA)
	promote := b.role(b.op("a3", own, hcrypto.BodyRole, adm, joinA), hcrypto.RoleAdmin)
	addM := b.op("m1", adm, hcrypto.BodyAdd, mem, promote)
	joinM := b.op("m2", mem, hcrypto.BodyJoin, "", addM)
	r := shuffled(t, b.room, create, addA, joinA, promote, addM, joinM)
	wantRoles(t, r, map[string]hcrypto.Role{own: hcrypto.RoleOwner, adm: hcrypto.RoleAdmin, mem: hcrypto.RoleMember})

	// The admin's add without the promotion among its parents is not
	// ordered after it, whatever its id: the admin was a member then.
	early := b.op("00", adm, hcrypto.BodyAdd, newPeerID(t), joinA)
	r = shuffled(t, b.room, create, addA, joinA, promote, early)
	if _, ok := r.refused[early.hash]; !ok {
		t.Fatal("an add by a plain member was accepted")
	}

	// An operation whose parent is missing waits for it.
	r = replay(b.room, genesis{}, []logOp{create, addA, joinA, addM, joinM})
	if _, in := r.roles[mem]; in || r.accepted[addM.hash] || r.refused[addM.hash] != "" {
		t.Fatalf("an operation was placed without its parent: %v", r.roles)
	}
}

func TestReplayRefusesForgedOperations(t *testing.T) {
	own, mal, eve := newPeerID(t), newPeerID(t), newPeerID(t)
	b := newLog(t, own)
	create := b.op("c", own, hcrypto.BodyCreate, "")
	add := b.op("a", own, hcrypto.BodyAdd, mal, create)
	join := b.op("j", mal, hcrypto.BodyJoin, "", add)
	forged := []logOp{
		b.remove(b.op("f1", mal, hcrypto.BodyRemove, own, join), 0),             // a member removes the owner
		b.role(b.op("f2", mal, hcrypto.BodyRole, mal, join), hcrypto.RoleAdmin), // grants itself admin
		b.op("f3", mal, hcrypto.BodyAdd, eve, join),                             // a non-admin adds someone
		b.op("f5", mal, hcrypto.BodyCreate, ""),                                 // a second creation
	}
	// Eve's join names the forged add: nothing lets it in.
	forged = append(forged[:3], b.op("f4", eve, hcrypto.BodyJoin, "", forged[2]), forged[3])
	r := shuffled(t, b.room, append([]logOp{create, add, join}, forged[:4]...)...)
	for _, f := range forged[:4] {
		if r.accepted[f.hash] {
			t.Fatalf("forged %d accepted", f.op.Kind)
		}
	}
	wantRoles(t, r, map[string]hcrypto.Role{own: hcrypto.RoleOwner, mal: hcrypto.RoleMember})
	r = replay(b.room, genesis{}, []logOp{create, add, join, forged[4]}) // Mallory's own seed: not the room's
	if r.accepted[forged[4].hash] || r.owner != own {
		t.Fatal("a second creation was accepted")
	}
	// A creation from a key the room id was not made from.
	other := newLog(t, mal)
	fake := other.op("c", mal, hcrypto.BodyCreate, "")
	r = replay(b.room, genesis{}, []logOp{fake})
	if r.owned || len(r.roles) != 0 {
		t.Fatalf("a creation by another key took the room: %v", r.roles)
	}
}

// Removal wins over a concurrent invitation of the same person, whichever
// comes first in the order.
func TestReplayRemovalWinsOverConcurrentInvite(t *testing.T) {
	for _, ids := range [][2]string{{"r", "s"}, {"s", "r"}} {
		own, a1, a2, p := newPeerID(t), newPeerID(t), newPeerID(t), newPeerID(t)
		b := newLog(t, own)
		create := b.op("c", own, hcrypto.BodyCreate, "")
		add1 := b.op("b1", own, hcrypto.BodyAdd, a1, create)
		add2 := b.op("b2", own, hcrypto.BodyAdd, a2, create)
		join1 := b.op("b3", a1, hcrypto.BodyJoin, "", add1)
		join2 := b.op("b4", a2, hcrypto.BodyJoin, "", add2)
		pro1 := b.role(b.op("b5", own, hcrypto.BodyRole, a1, join1, join2), hcrypto.RoleAdmin)
		pro2 := b.role(b.op("b6", own, hcrypto.BodyRole, a2, pro1), hcrypto.RoleAdmin)
		addP := b.op("b7", own, hcrypto.BodyAdd, p, pro2)
		// P was invited. Concurrently: a1 removes P; a2, not knowing,
		// invites P again; P accepts the second invitation.
		rm := b.remove(b.op(ids[0], a1, hcrypto.BodyRemove, p, addP), 0)
		reAdd := b.op(ids[1], a2, hcrypto.BodyAdd, p, addP)
		rejoin := b.op("z1", p, hcrypto.BodyJoin, "", reAdd)
		r := shuffled(t, b.room, create, add1, add2, join1, join2, pro1, pro2, addP, rm, reAdd, rejoin)
		if _, in := r.roles[p]; in || r.accepted[rejoin.hash] {
			t.Fatalf("order %v: P is a member after a removal concurrent with the invitation (refused %v)", ids, r.refused)
		}
		// Once the removal is seen, an invitation brings P back.
		again := b.op("z2", own, hcrypto.BodyAdd, p, rm, reAdd)
		join := b.op("z3", p, hcrypto.BodyJoin, "", again)
		r = shuffled(t, b.room, create, add1, add2, join1, join2, pro1, pro2, addP, rm, reAdd, rejoin, again, join)
		if x, in := r.roles[p]; !in || x != hcrypto.RoleMember {
			t.Fatalf("order %v: P invited after the removal is not a member (refused %v)", ids, r.refused)
		}
	}
}

// Two admins removing each other: the one first in the order wins, on
// every node alike.
func TestReplayAdminsRemovingEachOther(t *testing.T) {
	own, a1, a2 := newPeerID(t), newPeerID(t), newPeerID(t)
	b := newLog(t, own)
	create := b.op("c", own, hcrypto.BodyCreate, "")
	add1 := b.op("b1", own, hcrypto.BodyAdd, a1, create)
	add2 := b.op("b2", own, hcrypto.BodyAdd, a2, create)
	join1 := b.op("b3", a1, hcrypto.BodyJoin, "", add1)
	join2 := b.op("b4", a2, hcrypto.BodyJoin, "", add2)
	pro1 := b.role(b.op("b5", own, hcrypto.BodyRole, a1, join1, join2), hcrypto.RoleAdmin)
	pro2 := b.role(b.op("b6", own, hcrypto.BodyRole, a2, pro1), hcrypto.RoleAdmin)
	rm1 := b.remove(b.op("x1", a1, hcrypto.BodyRemove, a2, pro2), 1)
	rm2 := b.remove(b.op("x2", a2, hcrypto.BodyRemove, a1, pro2), 1)
	r := shuffled(t, b.room, create, add1, add2, join1, join2, pro1, pro2, rm1, rm2)
	wantRoles(t, r, map[string]hcrypto.Role{own: hcrypto.RoleOwner, a1: hcrypto.RoleAdmin})
	if !r.accepted[rm1.hash] || r.accepted[rm2.hash] {
		t.Fatal("the later removal was accepted")
	}
}

// A removed admin's operations past its cutoff are left out even when
// they would come first in the order.
func TestReplayDropsOperationsPastTheCutoff(t *testing.T) {
	own, adm, mem := newPeerID(t), newPeerID(t), newPeerID(t)
	b := newLog(t, own)
	create := b.op("c", own, hcrypto.BodyCreate, "")
	addA := b.op("b1", own, hcrypto.BodyAdd, adm, create)
	addM := b.op("b2", own, hcrypto.BodyAdd, mem, create)
	joinA := b.op("b3", adm, hcrypto.BodyJoin, "", addA)
	joinM := b.op("b4", mem, hcrypto.BodyJoin, "", addM)
	pro := b.role(b.op("b5", own, hcrypto.BodyRole, adm, joinA, joinM), hcrypto.RoleAdmin)
	rm := b.remove(b.op("y", own, hcrypto.BodyRemove, adm, pro), joinA.seq) // saw only its join
	late := b.remove(b.op("a", adm, hcrypto.BodyRemove, mem, pro), 1)       // sent after, concurrent
	r := shuffled(t, b.room, create, addA, addM, joinA, joinM, pro, rm, late)
	wantRoles(t, r, map[string]hcrypto.Role{own: hcrypto.RoleOwner, mem: hcrypto.RoleMember})
	if r.accepted[late.hash] {
		t.Fatal("an operation past its author's cutoff was applied")
	}
}

// A room made before operations: the earliest joiner owns it.
func TestReplayLegacyRoomOwner(t *testing.T) {
	a, c := newPeerID(t), newPeerID(t)
	room := newID(t)
	r := replay(room, genesis{owner: a, members: []string{a, c}}, nil)
	wantRoles(t, r, map[string]hcrypto.Role{a: hcrypto.RoleOwner, c: hcrypto.RoleMember})
}

// Over the fakes: the owner makes an admin, the admin removes a member,
// and a member's forged operations, signed with its real key, are refused.
func TestMembershipOverNodes(t *testing.T) {
	ctx := context.Background()
	ann, bob, cat := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat")
	connect(ann, bob)
	connect(ann, cat)
	connect(bob, cat)
	r, err := ann.Create(ctx, "project")
	if err != nil {
		t.Fatal(err)
	}
	invite := func(from, to *testNode) {
		t.Helper()
		if _, err := from.Invite(ctx, "#project", to.id.String()); err != nil {
			t.Fatal(err)
		}
		to.InviteReceived(ctx, from.id, from.sentInvite())
		handOver(t, from, from.sentKeys(), to) // the epochs since a removal
		if _, err := to.AcceptInvitation(ctx, to.invitations()[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	invite(ann, bob)
	ann.Syncer().Request(bob.id, []string{r.ID})
	ann.waitFor("Bob a member", func() bool { _, in := ann.role(r.ID, bob.id); return in })
	if _, err := bob.Invite(ctx, "#project", cat.id.String()); !isUserError(err) {
		t.Fatalf("a member invited: %v", err)
	}
	if err := bob.Remove(ctx, "#project", ann.id.String()); !isUserError(err) {
		t.Fatalf("a member removed the owner: %v", err)
	}
	if err := ann.SetRole(ctx, "#project", bob.id.String(), "admin"); err != nil {
		t.Fatal(err)
	}
	bob.Syncer().Request(ann.id, []string{r.ID})
	bob.waitFor("Bob an admin", func() bool { x, _ := bob.role(r.ID, bob.id); return x == hcrypto.RoleAdmin })
	invite(bob, cat)
	for _, n := range []*testNode{ann, bob} {
		n.Syncer().Request(cat.id, []string{r.ID})
		n.waitFor("Cat a member", func() bool { _, in := n.role(r.ID, cat.id); return in })
	}
	if _, err := cat.Send(ctx, "#project", "hello"); err != nil {
		t.Fatal(err)
	}
	catHello := cat.lastGossip(r.ID)

	// Cat, a plain member, forges operations with its own real key.
	cj := cat.Joined().Get(r.ID)
	for _, op := range []hcrypto.MemberOp{
		{Kind: hcrypto.BodyRemove, Target: []byte(ann.id), Cutoff: 1},
		{Kind: hcrypto.BodyRole, Target: []byte(cat.id), Role: hcrypto.RoleAdmin},
		{Kind: hcrypto.BodyRemove, Target: []byte(bob.id), Cutoff: 1},
	} {
		if _, err := cat.poster.postOp(ctx, cj, op); err != nil {
			t.Fatal(err)
		}
		for _, n := range []*testNode{ann, bob} {
			if err := n.net.topic(r.ID).deliver(cat.id, cat.lastGossip(r.ID)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range []*testNode{ann, bob} {
		n.waitFor("the forged operations replayed", func() bool { return len(n.Joined().Get(r.ID).roster().refused) >= 3 })
		want := map[string]hcrypto.Role{ann.id.String(): hcrypto.RoleOwner, bob.id.String(): hcrypto.RoleAdmin, cat.id.String(): hcrypto.RoleMember}
		wantRoles(t, n.Joined().Get(r.ID).roster(), want)
	}

	// The admin removes Cat; Cat's later posts are refused by every member.
	if err := bob.Remove(ctx, "#project", cat.id.String()); err != nil {
		t.Fatal(err)
	}
	ann.Syncer().Request(bob.id, []string{r.ID})
	ann.waitFor("Cat removed", func() bool { _, in := ann.role(r.ID, cat.id); return !in })
	// The removal moved the room to a new key; Bob hands it to Ann.
	handOver(t, bob, bob.waitKeys(1), ann, cat)
	if ann.epoch(r.ID) != 1 || cat.epoch(r.ID) != 0 {
		t.Fatalf("after the removal Ann is at epoch %d, Cat at %d", ann.epoch(r.ID), cat.epoch(r.ID))
	}
	// Once Ann holds all of Cat's up to the cutoff, her sync asks for no more.
	cutoff, _ := ann.Joined().Get(r.ID).roster().cutoff(cat.id.String())
	ann.Syncer().Request(cat.id, []string{r.ID})
	ann.waitFor("Cat's posts up to the cutoff", func() bool { return ann.heldOf(r.ID, cat.id) >= cutoff })
	budget := syncRequestBudget
	req, err := ann.Syncer().syncRoom(ctx, ann.Joined().Get(r.ID), bob.id, &budget)
	if err != nil || req.Have[cat.id.String()] != math.MaxInt64 {
		t.Fatalf("Ann still asks for Cat's posts past the cutoff: %v %v", req.Have, err)
	}
	ms, err := ann.Members(ctx, "#project")
	if err != nil || len(ms) != 2 {
		t.Fatalf("members %+v, %v", ms, err)
	}
	for _, m := range ms {
		if want := map[string]string{ann.id.String(): "owner", bob.id.String(): "admin"}[m.PeerID]; m.Role != want {
			t.Fatalf("member %s role %q, want %q", m.PeerID, m.Role, want)
		}
	}
	cj.log.Store(nil) // Cat's node does not know, or pretends not to
	if _, err := cat.Send(ctx, "#project", "still here"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*testNode{ann, bob} {
		if err := n.net.topic(r.ID).deliver(cat.id, cat.lastGossip(r.ID)); !errors.Is(err, errCutOff) {
			t.Fatalf("a removed member's post past its cutoff: %v", err)
		}
		// What it posted before the cutoff is still taken.
		if _, _, err := n.net.topic(r.ID).validate(catHello); err != nil {
			t.Fatalf("Cat's post before the removal: %v", err)
		}
	}

	// Invited again once the removal is known, Cat comes back; what it
	// posted while out stays refused.
	// The removal may be in Cat's store already (gossip brought it before
	// the roster was dropped above): sync, then replay what is stored.
	if err := cat.Syncer().pull(ctx, bob.id, []string{r.ID}); err != nil {
		t.Fatal(err)
	}
	if err := cat.relog(ctx, cj); err != nil {
		t.Fatal(err)
	}
	if _, cut := cj.roster().cutoff(cat.id.String()); !cut {
		t.Fatal("Cat not told of the removal by sync")
	}
	stillHere := cat.lastGossip(r.ID)
	invite(bob, cat)
	cat.Syncer().Request(bob.id, []string{r.ID}) // brings the add its join names
	cat.waitFor("Cat back, at Cat's", func() bool { _, in := cat.role(r.ID, cat.id); return in })
	if _, err := cat.Send(ctx, "#project", "back again"); err != nil {
		t.Fatal(err)
	}
	// One sync after the other, so that the add Cat's join names is there
	// first whatever the machine's load.
	for _, from := range []peer.ID{bob.id, cat.id} {
		if err := ann.Syncer().pull(ctx, from, []string{r.ID}); err != nil {
			t.Fatal(err)
		}
	}
	ann.waitFor("Cat back", func() bool { _, in := ann.role(r.ID, cat.id); return in })
	if err := ann.net.topic(r.ID).deliver(cat.id, cat.lastGossip(r.ID)); err != nil {
		t.Fatalf("Cat's post after coming back: %v", err)
	}
	if _, _, err := ann.net.topic(r.ID).validate(stillHere); !errors.Is(err, errCutOff) {
		t.Fatalf("Cat's post from while it was out: %v", err)
	}
	if err := ann.Remove(ctx, chat.GeneralRoomName, bob.id.String()); !isUserError(err) {
		t.Fatalf("a removal in #general: %v", err)
	}
}

func isUserError(err error) bool {
	var ue *chat.UserError
	return errors.As(err, &ue)
}

// role is p's role in room as n's log has it.
func (n *testNode) role(room string, p peer.ID) (hcrypto.Role, bool) {
	j := n.Joined().Get(room)
	if j == nil {
		return 0, false
	}
	return j.roster().role(p.String())
}
