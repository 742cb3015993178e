package rooms

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// mallory is a member who breaks the rules on purpose: it holds the room
// key and signs envelopes with whatever sequence number and clock it likes.
type mallory struct {
	key ic.PrivKey
	id  peer.ID
}

func newMallory(t *testing.T) *mallory {
	t.Helper()
	key, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return &mallory{key: key, id: id}
}

// envelope is Mallory's post seq in room j, dated at.
func (m *mallory) envelope(t *testing.T, j *Joined, seq uint64, at time.Time, text string) []byte {
	t.Helper()
	body := hcrypto.RoomBody{Kind: hcrypto.BodyText, Name: "Mallory", SentAt: at.UnixMilli(), Text: text}
	env, err := hcrypto.SealEnvelope(j.key, 0, m.key, j.id, []byte(m.id), seq, wallClock(at), body.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	return env.Marshal()
}

// plant stores Mallory's envelopes in n's log as they are, as a peer
// without the intake rules (an older Hallway) would hold them.
func (m *mallory) plant(t *testing.T, n *testNode, j *Joined, raws ...[]byte) {
	t.Helper()
	var entries []storage.RoomEntry
	for _, raw := range raws {
		env, err := hcrypto.UnmarshalEnvelope(raw)
		if err != nil {
			t.Fatal(err)
		}
		e, err := openEntry(n.id, j, env, raw)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, *e)
	}
	if _, err := n.store.InsertRoomEntriesWith(context.Background(), storage.Replicated, entries); err != nil {
		t.Fatal(err)
	}
}

// An envelope dated a year ahead, by gossip: stored at our clock when it
// arrived, our clock not dragged along, the author's claim kept; a message
// posted after it is shown after it, and reading the room does not put the
// read marker a year ahead.
func TestAFutureClockIsPlacedAtArrivalByGossip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bob, mal := newTestNode(t, "Bob"), newMallory(t)
		room := project(t, bob)
		j := bob.Joined().Get(room)
		arrived := time.Now()
		claimed := arrived.AddDate(1, 0, 0)
		raw := mal.envelope(t, j, 1, claimed, "from next year")
		if err := bob.net.topic(room).deliver(mal.id, raw); err != nil {
			t.Fatal(err)
		}
		var got storage.RoomEntry
		bob.waitFor("Mallory's post", func() bool {
			var ok bool
			got, ok = bob.store.entry(room, mal.id.String(), 1)
			return ok
		})
		if got.HLC > wallClock(arrived.Add(maxClockSkew)) || got.HLC < wallClock(arrived) || got.Message.HLC != got.HLC {
			t.Fatalf("stored at %s, want the time it arrived (%s)", clockTime(got.HLC), arrived)
		}
		if env, _ := hcrypto.UnmarshalEnvelope(got.Raw); env == nil || env.HLC != wallClock(claimed) {
			t.Fatal("the envelope as signed was not kept")
		}
		shown := bob.Message(context.Background(), got.Message)
		if !shown.Time.Equal(got.Message.ReceivedAt) || !shown.ClaimedTime.Equal(time.UnixMilli(claimed.UnixMilli())) {
			t.Fatalf("shown at %v (claimed %v), want the time received and the claim", shown.Time, shown.ClaimedTime)
		}

		time.Sleep(time.Minute)
		later, err := bob.Send(context.Background(), "#project", "a minute later")
		if err != nil {
			t.Fatal(err)
		}
		if later.HLC >= wallClock(claimed) || later.HLC <= got.HLC {
			t.Fatalf("Bob's next post at %s: dragged along, or before Mallory's", clockTime(later.HLC))
		}
		rows, err := bob.History(context.Background(), "#project", nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		if last := rows[len(rows)-1]; last.ID != later.ID {
			t.Fatalf("%q is shown last, want Bob's later post", last.Text)
		}
		if m := bob.store.readMarker(room); m != later.HLC {
			t.Fatalf("read marker at %s, want Bob's post at %s", clockTime(m), clockTime(later.HLC))
		}
	})
}

// The same envelope by catch-up sync, from a member that stored it as it
// came: placed at its arrival here too.
func TestAFutureClockIsPlacedAtArrivalBySync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ann, bob, mal := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newMallory(t)
		room := project(t, ann, bob)
		claimed := time.Now().AddDate(1, 0, 0)
		mal.plant(t, ann, ann.Joined().Get(room), mal.envelope(t, ann.Joined().Get(room), 1, claimed, "from next year"))
		connect(ann, bob)
		bob.Syncer().Request(ann.id, nil)
		var got storage.RoomEntry
		bob.waitFor("Mallory's post", func() bool {
			var ok bool
			got, ok = bob.store.entry(room, mal.id.String(), 1)
			return ok
		})
		if !bob.clock.Plausible(got.HLC) || got.HLC < wallClock(time.Now().Add(-time.Second)) {
			t.Fatalf("stored at %s by sync, want the time it arrived", clockTime(got.HLC))
		}
	})
}

// An author that posts 2 (1 never comes) and then jumps far ahead of it is
// refused, by gossip and by sync alike; within the window it is taken.
func TestAFarJumpIsRefused(t *testing.T) {
	ann, bob, mal := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newMallory(t)
	room := project(t, ann, bob)
	j := bob.Joined().Get(room)
	now := time.Now()
	first, edge, far := mal.envelope(t, j, 2, now, "two"), mal.envelope(t, j, 1+p2p.SyncSeqWindow, now, "edge"),
		mal.envelope(t, j, 2+p2p.SyncSeqWindow, now, "far")
	for _, raw := range [][]byte{first, far, edge} {
		if err := bob.net.topic(room).deliver(mal.id, raw); err != nil {
			t.Fatal(err)
		}
	}
	bob.waitFor("the post at the window's edge", func() bool {
		_, ok := bob.store.entry(room, mal.id.String(), 1+p2p.SyncSeqWindow)
		return ok
	})
	if _, ok := bob.store.entry(room, mal.id.String(), 2+p2p.SyncSeqWindow); ok {
		t.Fatal("gossip: a seq beyond the window was stored")
	}

	// Ann holds the far one as an older Hallway would; Cat catches up from
	// her, refuses it, and is not sent it again.
	mal.plant(t, ann, ann.Joined().Get(room), first, far)
	cat := newTestNode(t, "Cat")
	connect(ann, cat)
	if _, err := cat.joinFrom(ann, "#project"); err != nil {
		t.Fatal(err)
	}
	cat.waitFor("Mallory's first post", func() bool {
		_, ok := cat.store.entry(room, mal.id.String(), 2)
		return ok
	})
	if _, ok := cat.store.entry(room, mal.id.String(), 2+p2p.SyncSeqWindow); ok {
		t.Fatal("sync: a seq beyond the window was stored")
	}
	// The pull the join started may still be under way, and what Ann logs
	// for Cat's entry may still be coming: one round takes it all, the
	// next must bring nothing.
	settled(t, ann, cat)
	if err := cat.Syncer().pull(context.Background(), ann.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	settled(t, ann, cat)
	before := cat.net.received()
	if err := cat.Syncer().pull(context.Background(), ann.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	if n := cat.net.received() - before; n != 0 {
		t.Fatalf("Ann sent Cat %d envelopes again: what Cat refuses must not be served", n)
	}
	// A server that sends it anyway (an older Hallway) is refused too.
	rogue := p2pServerFunc(func(_ context.Context, _ peer.ID, _ []byte, _ p2p.SyncRequest, send func([]byte) error) error {
		return send(far)
	})
	cat.net.mu.Lock()
	cat.net.servers[ann.id] = rogue
	cat.net.mu.Unlock()
	if err := cat.Syncer().pull(context.Background(), ann.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	if _, ok := cat.store.entry(room, mal.id.String(), 2+p2p.SyncSeqWindow); ok {
		t.Fatal("sync: a seq beyond the window sent anyway was stored")
	}
}

// A colleague who joins after retention deleted an author's first twenty
// thousand messages everywhere starts from the first one left, takes what
// follows, and still refuses a jump far beyond it.
func TestTheFirstEnvelopeLeftIsTaken(t *testing.T) {
	ann, cat, mal := newTestNode(t, "Ann"), newTestNode(t, "Cat"), newMallory(t)
	room := project(t, ann)
	j := ann.Joined().Get(room)
	now := time.Now()
	var kept [][]byte
	for seq := uint64(20_001); seq <= 20_003; seq++ {
		kept = append(kept, mal.envelope(t, j, seq, now, fmt.Sprint(seq)))
	}
	mal.plant(t, ann, j, kept...)
	connect(ann, cat)
	if _, err := cat.joinFrom(ann, "#project"); err != nil {
		t.Fatal(err)
	}
	cat.waitFor("what retention left", func() bool {
		_, ok := cat.store.entry(room, mal.id.String(), 20_003)
		return ok
	})
	next, far := mal.envelope(t, j, 20_004, now, "next"), mal.envelope(t, j, 20_001+p2p.SyncSeqWindow, now, "far")
	for _, raw := range [][]byte{far, next} {
		if err := cat.net.topic(room).deliver(mal.id, raw); err != nil {
			t.Fatal(err)
		}
	}
	cat.waitFor("the next post", func() bool {
		_, ok := cat.store.entry(room, mal.id.String(), 20_004)
		return ok
	})
	if _, ok := cat.store.entry(room, mal.id.String(), 20_001+p2p.SyncSeqWindow); ok {
		t.Fatal("a seq a window beyond the first one left was stored")
	}
}

// p2pServerFunc adapts a function to a p2p.SyncServer.
type p2pServerFunc func(ctx context.Context, from peer.ID, challenge []byte, req p2p.SyncRequest, send func([]byte) error) error

func (f p2pServerFunc) ServeSync(ctx context.Context, from peer.ID, challenge []byte, req p2p.SyncRequest, send func([]byte) error) error {
	return f(ctx, from, challenge, req, send)
}

// A message stored with a clock far ahead before the intake rules (an
// older Hallway's history) does not carry the read marker past our clock:
// what colleagues post next still counts as unread.
func TestReadMarkerNeverPassesOurClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bob, mal := newTestNode(t, "Bob"), newMallory(t)
		room := project(t, bob)
		j := bob.Joined().Get(room)
		mal.plant(t, bob, j, mal.envelope(t, j, 1, time.Now().AddDate(1, 0, 0), "stored by an older Hallway"))
		for _, mark := range []func() error{
			func() error { _, err := bob.History(context.Background(), "#project", nil, 10); return err },
			func() error { return bob.MarkRead(context.Background(), room) },
		} {
			if err := mark(); err != nil {
				t.Fatal(err)
			}
			if m := bob.store.readMarker(room); m > wallClock(time.Now().Add(maxClockSkew)) {
				t.Fatalf("read marker at %s, a year ahead", clockTime(m))
			}
		}
	})
}

// The window counts from what a batch itself continues: a burst starting
// at the head is judged alike however the writer cuts it into batches.
func TestAFarJumpIsJudgedAlikeInOneBatch(t *testing.T) {
	bob, mal := newTestNode(t, "Bob"), newMallory(t)
	room := project(t, bob)
	j := bob.Joined().Get(room)
	now := time.Now()
	var batch []pending
	for _, seq := range []uint64{2 + p2p.SyncSeqWindow, 2, 1 + p2p.SyncSeqWindow} {
		raw := mal.envelope(t, j, seq, now, fmt.Sprint(seq))
		env, err := hcrypto.UnmarshalEnvelope(raw)
		if err != nil {
			t.Fatal(err)
		}
		e, err := openEntry(bob.id, j, env, raw)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, pending{entry: e, from: mal.id})
	}
	if _, err := bob.commit.commit(context.Background(), storage.Replicated, batch); err != nil {
		t.Fatal(err)
	}
	for seq, want := range map[uint64]bool{2: true, 1 + p2p.SyncSeqWindow: true, 2 + p2p.SyncSeqWindow: false} {
		if _, ok := bob.store.entry(room, mal.id.String(), seq); ok != want {
			t.Errorf("seq %d stored: %v, want %v", seq, ok, want)
		}
	}
}
