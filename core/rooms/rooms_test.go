package rooms

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// project has ann create #project and, when others are given, join them
// to it as accepted invitations do.
func project(t *testing.T, ann *testNode, others ...*testNode) string {
	t.Helper()
	ctx := context.Background()
	r, err := ann.Create(ctx, "#project")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range others {
		if _, err := n.joinFrom(ann, "#project"); err != nil {
			t.Fatal(err)
		}
	}
	return r.ID
}

// lastGossip is the last envelope n gossiped in room.
func (n *testNode) lastGossip(room string) []byte {
	n.t.Helper()
	tp := n.net.topic(room)
	if j := n.Joined().Get(room); j != nil {
		e, k := j.current()
		tp = n.net.topicNamed(k.EpochTopic(room, e))
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	for i := len(tp.published) - 1; i >= 0; i-- {
		if !hcrypto.IsReceipt(tp.published[i]) { // receipts: receiptOf
			return tp.published[i]
		}
	}
	n.t.Fatalf("nothing gossiped in %s", room)
	return nil
}

// order checks that each line starting with one of prefixes appears in
// lines, in this order, after index from.
func order(t *testing.T, lines []string, from int, prefixes ...string) {
	t.Helper()
	i := from
	for _, p := range prefixes {
		j := slices.IndexFunc(lines[i:], func(l string) bool { return strings.HasPrefix(l, p) })
		if j < 0 {
			t.Fatalf("%q not found in order after line %d:\n%s", p, i, strings.Join(lines[from:], "\n"))
		}
		i += j + 1
	}
}

func TestPostCommitsDurablyThenGossips(t *testing.T) {
	ann := newTestNode(t, "Ann")
	room := project(t, ann)
	from := len(ann.log.all())
	m, err := ann.Send(context.Background(), "#project", "hello")
	if err != nil {
		t.Fatal(err)
	}
	if !m.Outgoing || m.Text != "hello" || m.Conversation != chat.RoomConv(room).String() {
		t.Fatalf("sent %+v", m)
	}
	// Gossiped as soon as it is on disk: its members do not wait for
	// what posting does next (the chain check, the announcements).
	order(t, ann.log.all(), from, "insert "+room+"/2", "gossip ", "publish chat.MessageSent")
	env, err := hcrypto.UnmarshalEnvelope(ann.lastGossip(room))
	if err != nil || env.ID() != m.ID || env.Seq != 2 {
		t.Fatalf("gossiped %v, %v; want the post", env, err)
	}
	if d := ann.store.durable[entryKey{room, ann.id.String(), 2}]; d != storage.Durable {
		t.Fatalf("own post committed as %v, want durable", d)
	}
}

// A membership operation of ours is gossiped only once this node has
// replayed it: members answer one (a key handed over, a re-key) at once.
func TestOperationGossipedOnceReplayed(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	room := project(t, ann)
	from := len(ann.log.all())
	if _, err := ann.Invite(context.Background(), "#project", bob.id.String()); err != nil {
		t.Fatal(err)
	}
	order(t, ann.log.all(), from, "insert "+room+"/2", "publish chat.RoomChanged", "gossip ")
}

func TestGossipIsCommittedThenPublished(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	room := project(t, ann, bob)
	sent, err := ann.Send(context.Background(), "#project", "hello Bob")
	if err != nil {
		t.Fatal(err)
	}
	from := len(bob.log.all())
	if err := bob.net.topic(room).deliver(ann.id, ann.lastGossip(room)); err != nil {
		t.Fatal(err)
	}
	var got chat.Message
	bob.waitFor("the message", func() bool {
		rows, _ := bob.store.RoomHistory(context.Background(), room, nil, 100)
		for _, r := range rows {
			if r.ID == sent.ID {
				got = bob.Message(context.Background(), r)
				return true
			}
		}
		return false
	})
	bob.waitFor("its announcement", func() bool {
		return slices.Contains(bob.log.all(), "publish chat.MessageReceived")
	})
	order(t, bob.log.all(), from, "insert "+room+"/2", "publish chat.MessageReceived")
	if got.Outgoing || got.FromName != "Ann" || got.From != ann.id.String() {
		t.Fatalf("Bob shows %+v", got)
	}
	if d := bob.store.durable[entryKey{room, ann.id.String(), 2}]; d != storage.Replicated {
		t.Fatalf("a colleague's message committed as %v, want replicated", d)
	}
}

// Gossip names no author of its own: an envelope forwarded by anyone is
// its signer's, and one that claims another author, or another room, is
// refused.
func TestGossipForAnotherAuthorOrRoomIsRefused(t *testing.T) {
	ann, bob, mal := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Mallory")
	room := project(t, ann, bob, mal)
	if _, err := ann.Send(context.Background(), "#project", "genuine"); err != nil {
		t.Fatal(err)
	}
	raw := ann.lastGossip(room)
	before := bob.store.count(room)
	// Mallory forwards Ann's envelope: it is Ann's, whoever passed it on.
	author, _, err := bob.net.topic(room).validate(raw)
	if err != nil || author != ann.id {
		t.Fatalf("Ann's envelope forwarded by Mallory: author %s, %v; want Ann's", author, err)
	}
	// Mallory claims it as hers: her name on Ann's signature.
	env, err := hcrypto.UnmarshalEnvelope(raw)
	if err != nil {
		t.Fatal(err)
	}
	env.Author = []byte(mal.id)
	if err := bob.net.topic(room).deliver(mal.id, env.Marshal()); err == nil {
		t.Fatal("Ann's envelope under Mallory's name was accepted")
	}
	gen := bob.Joined().All()
	other := gen[slices.IndexFunc(gen, func(j *Joined) bool { return j.General() })]
	if err := bob.net.topic(other.ID()).deliver(ann.id, raw); err == nil {
		t.Fatal("an envelope of #project was accepted in #general")
	}
	if n := bob.store.count(room); n != before {
		t.Fatalf("Bob stored %d envelopes, want %d", n, before)
	}
}

func TestInvalidRoomIDIsRefused(t *testing.T) {
	bob := newTestNode(t, "Bob")
	ctx := context.Background()
	key := make([]byte, 32)
	for _, id := range []string{"Not A Room!", "general", "project", "general-0123456789ab"} {
		bob.InviteReceived(ctx, peer.ID("ann"), &p2p.RoomInvite{Room: id, Name: "bad", Key: key})
		if _, ok, _ := bob.store.Room(ctx, id); ok || bob.Joined().Get(id) != nil || bob.store.pending() != 0 {
			t.Fatalf("an invitation to room id %q was kept", id)
		}
		if bob.net.topic(id) != nil {
			t.Fatalf("followed the gossip of room id %q", id)
		}
	}
	var ue *chat.UserError
	for _, id := range []string{strings.Repeat("a", chat.MaxRoomIDBytes+1), "general", "project"} {
		if err := bob.join(ctx, storage.Room{ID: id, Name: "x"}, nil); !errors.As(err, &ue) || !errors.Is(err, chat.ErrBadRoomID) {
			t.Fatalf("joining room id %q: %v, want a user error", id, err)
		}
	}
	if _, err := bob.JoinCode(ctx, "not a room code"); !errors.As(err, &ue) {
		t.Fatalf("a bad code: %v, want a user error", err)
	}
}

func TestJoinRefusesAnotherKeyForAKnownRoom(t *testing.T) {
	ann := newTestNode(t, "Ann")
	room := project(t, ann)
	var other [32]byte
	other[0] = 1
	if err := ann.join(context.Background(), storage.Room{ID: room, Name: "project", Key: other}, nil); err == nil {
		t.Fatal("joined a room again under another key")
	}
}

func TestInviteSendsTheKeyByDM(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	room := project(t, ann)
	ctx := context.Background()
	if _, err := ann.Invite(ctx, "#project", bob.id.String()); err != nil {
		t.Fatal(err)
	}
	if len(ann.dms) != 1 || !strings.HasPrefix(ann.dms[0], p2p.DMKindInvite+" ") || !strings.Contains(ann.dms[0], room) {
		t.Fatalf("queued DMs %q", ann.dms)
	}
	if _, err := ann.Invite(ctx, "#general", bob.id.String()); err == nil {
		t.Fatal("invited someone into #general")
	}
	if _, err := ann.Invite(ctx, "#project", ann.id.String()); err == nil {
		t.Fatal("invited ourselves")
	}
}

func TestLeave(t *testing.T) {
	ann := newTestNode(t, "Ann")
	room := project(t, ann)
	ctx := context.Background()
	if err := ann.Leave(ctx, "#general"); err == nil {
		t.Fatal("left #general")
	}
	tp := ann.net.topic(room)
	if err := ann.Leave(ctx, "#project"); err != nil {
		t.Fatal(err)
	}
	if ann.Joined().Get(room) != nil || !tp.left {
		t.Fatal("still following the room")
	}
	if r, _, _ := ann.store.Room(ctx, room); !r.Left {
		t.Fatal("history still has the room as joined")
	}
	rooms, _ := ann.List(ctx)
	if len(rooms) != 1 || !rooms[0].General || !rooms[0].OpenLAN {
		t.Fatalf("rooms after leaving: %+v", rooms)
	}
}

// "#x" and a bare name are names, never ids; an id is "room:<id>" or a
// bare id in its own form.
func TestResolve(t *testing.T) {
	ann := newTestNode(t, "Ann")
	room := project(t, ann)
	for _, ref := range []string{"#project", "project", "PROJECT", " #Project ", room, "room:" + room} {
		if j, err := ann.Joined().Resolve(ref); err != nil || j.ID() != room {
			t.Errorf("%q: %v %v", ref, j, err)
		}
	}
	other := "0" // another last letter: an id that differs by one
	if room[25] == '0' {
		other = "4"
	}
	for _, ref := range []string{"#nowhere", room[:6], "#" + room, "room:project", "room:" + room[:25] + other} {
		if _, err := ann.Joined().Resolve(ref); !errors.Is(err, chat.ErrUnknownRoom) {
			t.Errorf("%q: %v, want an unknown room", ref, err)
		}
	}
	gen := ann.Joined().All()[slices.IndexFunc(ann.Joined().All(), (*Joined).General)]
	for _, ref := range []string{"#general", "General", "#ɡeneral", "room:" + gen.ID()} {
		if j, err := ann.Joined().Resolve(ref); err != nil || j != gen {
			t.Errorf("%q: %v %v, want #general", ref, j, err)
		}
	}
}

func TestMembersShowsUsAndColleagues(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	connect(ann, bob)
	room := project(t, ann, bob)
	ann.Syncer().Request(bob.id, []string{room})
	// Stored, then replayed into the member list, then announced.
	ann.waitFor("Bob's join", func() bool { _, in := ann.role(room, bob.id); return in })
	ms, err := ann.Members(context.Background(), "#project")
	if err != nil || len(ms) != 2 {
		t.Fatalf("members %+v %v", ms, err)
	}
	for _, m := range ms {
		if m.You != (m.PeerID == ann.id.String()) || m.You && m.Name != "Ann" || !m.You && m.Name != "Bob" {
			t.Errorf("member %+v", m)
		}
	}
}

func TestLookupsForOtherFeatures(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	room := project(t, ann, bob)
	const label = "file/abc"
	proof, ok := bob.Joined().Proof(room, label, bob.id, ann.id)
	if !ok || !ann.Joined().CheckProof(room, label, bob.id, ann.id, proof) {
		t.Fatal("a member's file proof does not hold")
	}
	if ann.Joined().CheckProof(room, "file/other", bob.id, ann.id, proof) {
		t.Fatal("a proof for one file opened another")
	}
	if _, ok := bob.Joined().Proof("roomwearenotin", label, bob.id, ann.id); ok {
		t.Fatal("a proof for a room we are not in")
	}
	if ann.Joined().CheckProof("roomwearenotin", label, bob.id, ann.id, proof) {
		t.Fatal("a proof checked for a room we are not in")
	}
	ann.net.topic(room).peers = []peer.ID{bob.id}
	if ps, ok := ann.Joined().Peers(room); !ok || !slices.Equal(ps, []peer.ID{bob.id}) {
		t.Fatalf("peers %v %v", ps, ok)
	}
	if id, err := ann.Joined().ResolveID("#project"); err != nil || id != room || !ann.Joined().IsJoined(id) {
		t.Fatalf("resolve #project: %q %v", id, err)
	}
	if err := ann.PostFile(context.Background(), room, `{"id":"x"}`); err != nil {
		t.Fatal(err)
	}
	if env, _ := hcrypto.UnmarshalEnvelope(ann.lastGossip(room)); env == nil || env.Seq != 2 {
		t.Fatal("the file offer was not gossiped")
	}
	if err := ann.PostFile(context.Background(), "roomwearenotin", `{}`); !errors.Is(err, chat.ErrUnknownRoom) {
		t.Fatalf("offer in a room we are not in: %v", err)
	}
}

// A room's summary counts the members its member list shows: in a
// workspace's #general, counted by the store, and in a project room, by
// its roster.
func TestRoomListCountsTheMembersListed(t *testing.T) {
	_, nodes := workspace(t, "Ann", "Bob", "Cat")
	ann, bob := nodes[0], nodes[1]
	ctx := context.Background()
	counted := func(ref string) int {
		rs, err := ann.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.General && ref == "#general" || !r.General && "#"+r.Name == ref {
				return r.Members
			}
		}
		return -1
	}
	listed := func(ref string) int {
		ms, err := ann.Members(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	gen := ann.Joined().All()[slices.IndexFunc(ann.Joined().All(), (*Joined).General)]
	meshed(t, gen.ID(), nodes...)
	ann.waitFor("everyone in #general", func() bool { return listed("#general") == 3 })
	if got := counted("#general"); got != 3 {
		t.Errorf("#general: the summary counts %d members, the list shows 3", got)
	}
	room := project(t, ann, bob)
	ann.Syncer().Request(bob.id, []string{room})
	ann.waitFor("Bob's join", func() bool { _, in := ann.role(room, bob.id); return in })
	if got, want := counted("#project"), listed("#project"); got != want || want != 2 {
		t.Errorf("#project: the summary counts %d members, the list shows %d (want 2)", got, want)
	}
}
