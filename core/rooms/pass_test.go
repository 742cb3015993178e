package rooms

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
)

// passWorkspace is a workspace of Ann (its creator), Bob and Cat that
// admits members by admins, with a pass Ann opened for uses newcomers;
// Ann is then away.
func passWorkspace(t *testing.T, uses int) (string, []*testNode, hcrypto.PassCode) {
	t.Helper()
	room, nodes := admittingByAdmins(t, "Ann", "Bob", "Cat")
	p, code := openPass(t, nodes[0], PassOptions{Uses: uses})
	if p.Uses != uses || p.Used != 0 || !p.Open || code.Room != room {
		t.Fatalf("pass as opened: %+v", p)
	}
	meshed(t, room, nodes...)
	settled(t, nodes...)
	// Ann is away: no sync of hers carries one member's news to another
	// (with her online, a pass used twice at once met at her first).
	for _, n := range nodes[1:] {
		disconnect(nodes[0], n)
	}
	return room, nodes[1:], code
}

// openPass has admin open a pass, and returns it with its code.
func openPass(t *testing.T, admin *testNode, opt PassOptions) (chat.WorkspacePass, hcrypto.PassCode) {
	t.Helper()
	p, err := admin.OpenPass(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	code, err := hcrypto.ParsePassCode(p.Code)
	if err != nil {
		t.Fatal(err)
	}
	return p, code
}

func isMember(n *testNode, room string, who *testNode) bool {
	_, in := n.Joined().Get(room).roster().role(who.id.String())
	return in
}

// With every admin away, a newcomer holding a pass enters at any member:
// every member counts it in once sync brings its join, the pass's uses
// run out in the log's order, and a newcomer too many is refused.
func TestPassLetsNewcomersInWhileNoAdminIsOnline(t *testing.T) {
	ctx := context.Background()
	room, members, code := passWorkspace(t, 2)
	bob, cat := members[0], members[1]
	dan := newcomer(t, bob, room, "Dan")
	eve := newcomer(t, bob, room, "Eve")
	fay := newcomer(t, bob, room, "Fay")
	for _, n := range members {
		if n.Admits(dan.id) || !n.Entrant(dan.id) {
			t.Fatalf("%s: before entering, Dan admitted %v, entrant %v", n.id, n.Admits(dan.id), n.Entrant(dan.id))
		}
	}
	if err := dan.Enter(ctx, bob.id, code); err != nil {
		t.Fatalf("Dan enters at Bob: %v", err)
	}
	if !bob.Admits(dan.id) || !isMember(bob, room, dan) {
		t.Fatal("Bob does not count Dan in after letting him in")
	}
	meshed(t, room, bob, cat, dan)
	if !cat.Admits(dan.id) || !isMember(dan, room, dan) {
		t.Fatal("Cat, or Dan himself, does not count Dan in once synced")
	}
	if err := eve.Enter(ctx, cat.id, code); err != nil {
		t.Fatalf("Eve enters at Cat: %v", err)
	}
	meshed(t, room, bob, cat, dan, eve)
	err := fay.Enter(ctx, dan.id, code)
	if !errors.Is(err, ErrEnterRefused) || !strings.Contains(err.Error(), "used up") {
		t.Fatalf("a third newcomer on a pass for two: %v", err)
	}
	for _, n := range []*testNode{bob, cat, dan, eve} {
		switch {
		case !n.Admits(eve.id) || n.Admits(fay.id):
			t.Fatalf("%s: Eve admitted %v, Fay %v", n.id, n.Admits(eve.id), n.Admits(fay.id))
		case n.Entrant(fay.id):
			t.Fatalf("%s still lets strangers in as entrants with the pass used up", n.id)
		}
	}
	list, err := bob.Passes(ctx)
	if err != nil || len(list) != 1 || list[0].Used != 2 || list[0].Open || list[0].Entrants[0] != dan.id.String() {
		t.Fatalf("passes at Bob: %+v, %v", list, err)
	}
}

// Two members let a newcomer in each, at the same moment, on a pass for
// one: once they sync, every member keeps the same one and refuses the
// other, whichever order its log heard them in.
func TestPassUsedTwiceAtOnceKeepsOneEverywhere(t *testing.T) {
	ctx := context.Background()
	room, members, code := passWorkspace(t, 1)
	bob, cat := members[0], members[1]
	dan := newcomer(t, bob, room, "Dan")
	eve := newcomer(t, bob, room, "Eve")
	disconnect(bob, cat)
	if err := dan.Enter(ctx, bob.id, code); err != nil {
		t.Fatal(err)
	}
	if err := eve.Enter(ctx, cat.id, code); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, bob, cat, dan, eve)
	in := map[bool]int{}
	for _, n := range []*testNode{bob, cat, dan, eve} {
		d, e := n.Admits(dan.id), n.Admits(eve.id)
		if d == e || d != bob.Admits(dan.id) {
			t.Fatalf("%s: Dan admitted %v, Eve %v (Bob: Dan %v)", n.id, d, e, bob.Admits(dan.id))
		}
		in[d]++
	}
}

// What a modified client tries with passes gets nothing: a pass a member
// opened, a proof made for another key, a join dated after the pass
// expired, a pass closed by an admin.
func TestPassRefusesForgeries(t *testing.T) {
	ctx := context.Background()
	room, members, code := passWorkspace(t, 5)
	bob, cat := members[0], members[1]
	j := bob.Joined().Get(room)

	// Bob, a member, opens a pass of his own with a modified client.
	forged, err := hcrypto.NewPass(code.Invite)
	if err != nil {
		t.Fatal(err)
	}
	terms := hcrypto.PassTerms{Key: forged.PassKey(), Uses: 9, Expires: time.Now().Add(time.Hour).UnixMilli()}
	if _, err := bob.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyAdd, Payload: terms.Marshal()}); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, bob, cat)
	mal := newcomer(t, bob, room, "Mal")
	if err := mal.Enter(ctx, cat.id, forged); !errors.Is(err, ErrEnterRefused) {
		t.Fatalf("a member's own pass let a newcomer in: %v", err)
	}
	// A proof of the real pass, made for another key, sent by Mal.
	other := newcomer(t, bob, room, "Other")
	proof := hcrypto.NewPassProof(code.Private(), room, []byte(other.id), time.Now().UnixMilli())
	if rep := cat.ServeEnter(ctx, mal.id, p2p.EnterRequest{Room: room, Proof: proof.Marshal()}); rep.Status != p2p.EnterUnknown {
		t.Fatalf("a proof made for another key: %v", rep.Status)
	}
	// A join whose proof is dated after the pass expires, sent straight
	// to a member's log.
	late := hcrypto.NewPassProof(code.Private(), room, []byte(mal.id), time.Now().Add(8*24*time.Hour).UnixMilli())
	mj := mal.Joined().Get(room)
	heads := cat.Joined().Get(room).roster().heads
	e, err := mal.poster.postOp(ctx, mj, hcrypto.MemberOp{Kind: hcrypto.BodyJoin, Payload: late.Marshal()}, heads...)
	if err != nil {
		t.Fatal(err)
	}
	if st, why := cat.ServeEntry(ctx, mal.id, e.Raw); st != p2p.EnterRefused || !strings.Contains(why, "expired") {
		t.Fatalf("a join dated past the pass's expiry: %v %q", st, why)
	}
	// Someone else's join relayed as Mal's.
	if st, _ := cat.ServeEntry(ctx, other.id, e.Raw); st != p2p.EnterRefused {
		t.Fatalf("another's join taken from Mal: %v", st)
	}
	if cat.Admits(mal.id) || bob.Admits(mal.id) {
		t.Fatal("Mal is in")
	}
}

// An admin closes a pass: nobody enters by it from then on, and the
// gater stops letting strangers in as entrants.
func TestClosedPassLetsNobodyIn(t *testing.T) {
	ctx := context.Background()
	room, nodes := admittingByAdmins(t, "Ann", "Bob")
	ann, bob := nodes[0], nodes[1]
	p, code := openPass(t, ann, PassOptions{Uses: 3})
	if err := bob.ClosePass(ctx, p.ID); err == nil {
		t.Fatal("a member closed a pass")
	}
	if err := ann.ClosePass(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, ann, bob)
	dan := newcomer(t, bob, room, "Dan")
	if err := dan.Enter(ctx, bob.id, code); !errors.Is(err, ErrEnterRefused) || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("entering by a closed pass: %v", err)
	}
	if bob.Entrant(dan.id) || bob.PassOpen() {
		t.Fatal("a closed pass still opens the gate")
	}
}

// In #general of a workspace that admits members by admins, a stranger's
// posts are not kept, even when a node that does not know the log yet
// relays them; once the log counts the author in, they are.
func TestStrangersPostsInGeneralAreNotKept(t *testing.T) {
	ctx := context.Background()
	room, members, code := passWorkspace(t, 1)
	bob := members[0]
	mal := newcomer(t, bob, room, "Mal")
	if _, err := mal.Send(ctx, "#general", "hello from a stranger"); err != nil {
		t.Fatal(err)
	}
	g := bob.general()
	raw := mal.lastGossip(g.id)
	if err := bob.net.topic(g.id).deliver(mal.id, raw); !errors.Is(err, p2p.ErrIgnore) {
		t.Fatalf("a stranger's #general gossip at a member: %v, want ignored (not passed on)", err)
	}
	// A newcomer without the log yet passes nobody's #general gossip on.
	dan := newcomer(t, bob, room, "Dan")
	if err := dan.net.topic(g.id).deliver(mal.id, raw); !errors.Is(err, p2p.ErrIgnore) {
		t.Fatalf("a stranger's #general gossip at a node without the log: %v, want ignored", err)
	}
	connect(bob, mal)
	if err := bob.Syncer().pull(ctx, mal.id, []string{g.id}); err != nil {
		t.Fatal(err)
	}
	if bob.holdsText(g.id, "hello from a stranger") {
		t.Fatal("Bob kept a stranger's post in #general")
	}
	if err := mal.Enter(ctx, bob.id, code); err != nil {
		t.Fatal(err)
	}
	if err := bob.Syncer().pull(ctx, mal.id, []string{g.id}); err != nil {
		t.Fatal(err)
	}
	if !bob.holdsText(g.id, "hello from a stranger") {
		t.Fatal("once let in, the newcomer's post is still refused")
	}
}

// A member that has not synced with another since it started lets nobody
// in by a pass: its log may miss the entries that used the pass up (an
// admin back from a week away would otherwise let a second newcomer in on
// a pass for one, and the log would keep only one of the two).
func TestPassWaitsForACaughtUpLog(t *testing.T) {
	ctx := context.Background()
	room, members, code := passWorkspace(t, 1)
	bob, cat := members[0], members[1]
	disconnect(bob, cat)
	dan := newcomer(t, bob, room, "Dan")
	if err := dan.Enter(ctx, bob.id, code); err != nil {
		t.Fatal(err)
	}
	// Cat, as just restarted, reaches no member. A pull already under way
	// may still complete and mark its log caught up: then it is set back and
	// asked again, as many times as pulls could have been in flight.
	disconnect(cat, dan)
	eve := newcomer(t, bob, room, "Eve")
	for try := 0; ; try++ {
		cat.caughtUp.Store(false)
		err := eve.Enter(ctx, cat.id, code)
		if errors.Is(err, ErrEnterRefused) && strings.Contains(err.Error(), "catching up") {
			break
		}
		if try == 3 || !cat.caughtUp.Load() {
			t.Fatalf("entering at a member that has not caught up: %v", err)
		}
	}
	meshed(t, room, bob, cat)
	if err := eve.Enter(ctx, cat.id, code); !errors.Is(err, ErrEnterRefused) || !strings.Contains(err.Error(), "used up") {
		t.Fatalf("entering at the caught-up member on a used pass: %v", err)
	}
	if !cat.Admits(dan.id) || cat.Admits(eve.id) {
		t.Fatal("Cat does not keep Dan, the first one in")
	}
}

// A newcomer's join by a pass is not gossiped while it is an entrant (no
// member's mesh would take it, and gossip would then drop it as seen):
// it is published once, when the first member meshes with it.
func TestEntryIsGossipedOnceMeshed(t *testing.T) {
	ctx := context.Background()
	room, members, code := passWorkspace(t, 1)
	bob := members[0]
	dan := newcomer(t, bob, room, "Dan")
	published := func() int {
		n := 0
		for _, tp := range dan.net.topicsOf(room) {
			tp.mu.Lock()
			n += len(tp.published)
			tp.mu.Unlock()
		}
		return n
	}
	before := published()
	if err := dan.Enter(ctx, bob.id, code); err != nil {
		t.Fatal(err)
	}
	if k := published() - before; k != 0 {
		t.Fatalf("the join was gossiped while Dan was an entrant (%d messages)", k)
	}
	dan.PeerMeshed(bob.id, room)
	deadline := time.After(10 * time.Second)
	for published()-before != 1 {
		select {
		case <-dan.net.published:
		case <-deadline:
			t.Fatal("the join was not gossiped once Dan meshed with Bob")
		}
	}
	dan.PeerMeshed(bob.id, room)
	if k := published() - before; k != 1 {
		t.Fatalf("the join gossiped %d times", k)
	}
}

// A newcomer is told it is in (and forgets its pass) once its own log,
// synced from the members, counts it in; its own join by the key, before
// it had the log, did not.
func TestNewcomerIsToldOnceItsLogCountsItIn(t *testing.T) {
	ctx := context.Background()
	room, members, code := passWorkspace(t, 1)
	bob := members[0]
	dan := newcomer(t, bob, room, "Dan")
	// Its roster counts its own join by the key: that is not the log.
	if _, told := dan.toldAdmitted.Load(dan.id); told || dan.CountsUsIn() {
		t.Fatalf("the newcomer counts itself in before it holds the log (told %v)", told)
	}
	if err := dan.Enter(ctx, bob.id, code); err != nil {
		t.Fatal(err)
	}
	connect(dan, bob)
	if err := dan.Syncer().pull(ctx, bob.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	// The log is replayed once the pull's envelopes are committed, which
	// may end a moment after the pull returns.
	dan.waitFor("the newcomer told its log counts it in", func() bool {
		_, told := dan.toldAdmitted.Load(dan.id)
		return told && dan.CountsUsIn()
	})
}
