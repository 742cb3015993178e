package rooms

import (
	"context"
	"maps"
	"testing"
	"time"

	hcrypto "hallway/crypto"
)

// chained is Mallory's post seq naming prev as its predecessor.
func (m *mallory) chained(t *testing.T, j *Joined, seq uint64, at time.Time, text string, prev []byte) []byte {
	t.Helper()
	body := hcrypto.RoomBody{Kind: hcrypto.BodyText, Name: "Mallory", SentAt: at.UnixMilli(), Text: text, Chained: true}
	if prev != nil {
		body.Prev = hcrypto.ChainHash(prev)
	}
	env, err := hcrypto.SealEnvelope(j.key, 0, m.key, j.id, []byte(m.id), seq, wallClock(at)+seq, body.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	return env.Marshal()
}

// bodyOf opens a stored envelope of room j.
func bodyOf(t *testing.T, j *Joined, raw []byte) hcrypto.RoomBody {
	t.Helper()
	env, err := hcrypto.UnmarshalEnvelope(raw)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := env.Open(j.key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hcrypto.UnmarshalRoomBody(plain)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Our posts chain, and keep chaining after a restart: each body names the
// hash of our envelope before it, from the log.
func TestOwnPostsChainAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	ann := newTestNode(t, "Ann")
	room := project(t, ann)
	for _, text := range []string{"one", "two"} {
		if _, err := ann.Send(ctx, "#project", text); err != nil {
			t.Fatal(err)
		}
	}
	again := newTestNodeKeyed(t, "Ann", ann.key, nil, func(s *fakeStore) {
		ann.store.mu.Lock()
		defer ann.store.mu.Unlock()
		s.rooms = maps.Clone(ann.store.rooms)
		s.entries = maps.Clone(ann.store.entries)
	})
	again.poster.settle(room)
	if _, err := again.Send(ctx, "#project", "three"); err != nil {
		t.Fatal(err)
	}
	j := again.Joined().Get(room)
	self := ann.id.String()
	var prev []byte
	for seq := uint64(1); seq <= 4; seq++ {
		e, ok := again.store.entry(room, self, seq)
		if !ok {
			t.Fatalf("seq %d not held", seq)
		}
		b := bodyOf(t, j, e.Raw)
		want := [hcrypto.ChainHashLen]byte{}
		if prev != nil {
			want = hcrypto.ChainHash(prev)
		}
		if !b.Chained || b.Prev != want {
			t.Fatalf("seq %d names %x, want %x", seq, b.Prev, want)
		}
		prev = e.Raw
	}
	if again.forkEvents() != 0 {
		t.Fatal("an honest chain raised the fork alert")
	}
}

// Mallory's second post names another first post than the one she sent:
// the member that holds her first post raises the fork alert and keeps
// both as evidence, whether the second comes after the first or fills
// the hole before it later.
func TestAChainBreakIsFound(t *testing.T) {
	for _, order := range []string{"in order", "hole filled later"} {
		t.Run(order, func(t *testing.T) {
			bob, mal := newTestNode(t, "Bob"), newMallory(t)
			room := project(t, bob)
			j := bob.Joined().Get(room)
			now := time.Now()
			first := mal.chained(t, j, 1, now, "the deal is on", nil)
			hidden := mal.chained(t, j, 1, now, "the deal is off", nil)
			second := mal.chained(t, j, 2, now, "as agreed", hidden)
			third := mal.chained(t, j, 3, now, "and so on", second)
			sends := [][]byte{first, second, third}
			if order != "in order" {
				sends = [][]byte{third, second, first}
			}
			for _, raw := range sends {
				if err := bob.net.topic(room).deliver(mal.id, raw); err != nil {
					t.Fatal(err)
				}
			}
			bob.waitFor("the fork alert", func() bool { return bob.forkEvents() == 1 })
			bob.waitFor("all three posts", func() bool {
				_, ok := bob.store.entry(room, mal.id.String(), 1)
				return ok && bob.store.count(room) >= 4
			})
			forks, _ := bob.store.RoomForks(context.Background(), room)
			if len(forks) != 1 || forks[0].Seq != 2 || string(forks[0].Held) != string(first) || string(forks[0].Other) != string(second) {
				t.Fatalf("kept %+v, want seq 1 and the seq 2 that names another", forks)
			}
			if f := bob.forked(room); f[mal.id.String()] != 1 {
				t.Fatalf("room list says forked %v", f)
			}
		})
	}
}

// An author's honest chain, and old bodies that name no link, raise
// nothing.
func TestAnIntactChainIsNoFork(t *testing.T) {
	bob, mal := newTestNode(t, "Bob"), newMallory(t)
	room := project(t, bob)
	j := bob.Joined().Get(room)
	now := time.Now()
	one := mal.chained(t, j, 1, now, "one", nil)
	two := mal.chained(t, j, 2, now, "two", one)
	three := mal.envelope(t, j, 3, now.Add(time.Second), "unchained")
	for _, raw := range [][]byte{two, three, one} {
		if err := bob.net.topic(room).deliver(mal.id, raw); err != nil {
			t.Fatal(err)
		}
	}
	bob.waitFor("Mallory's posts", func() bool {
		_, ok := bob.store.entry(room, mal.id.String(), 1)
		return ok
	})
	if _, ok := bob.store.entry(room, mal.id.String(), 3); !ok {
		t.Fatal("seq 3 not held")
	}
	if n := bob.forkEvents(); n != 0 {
		t.Fatalf("%d fork alerts for an intact chain", n)
	}
}

// Our posts are numbered and chained from our last one without reading
// the log, until a message of ours comes from elsewhere (our restored
// folder's or another machine's, brought back by gossip or sync): the
// next post is then numbered past it and names it.
func TestOwnPostsFollowOurLastUnlessOursCameFromElsewhere(t *testing.T) {
	ctx := context.Background()
	ann := newTestNode(t, "Ann")
	room := project(t, ann)
	self := ann.id.String()
	reads := func() int {
		ann.store.mu.Lock()
		defer ann.store.mu.Unlock()
		return ann.store.nextSeqReads
	}
	before := reads()
	for _, text := range []string{"one", "two", "three"} {
		if _, err := ann.Send(ctx, "#project", text); err != nil {
			t.Fatal(err)
		}
	}
	if n := reads() - before; n != 0 {
		t.Errorf("three posts after our first read the next seq %d times, want none", n)
	}
	j := ann.Joined().Get(room)
	chainOK := func(seq uint64) {
		t.Helper()
		e, ok := ann.store.entry(room, self, seq)
		prev, ok2 := ann.store.entry(room, self, seq-1)
		if !ok || !ok2 {
			t.Fatalf("seq %d or %d not held", seq-1, seq)
		}
		if b := bodyOf(t, j, e.Raw); !b.Chained || b.Prev != hcrypto.ChainHash(prev.Raw) {
			t.Fatalf("seq %d names %x, want our seq %d", seq, b.Prev, seq-1)
		}
	}
	for seq := uint64(2); seq <= 4; seq++ {
		chainOK(seq)
	}
	// Our seq 5, posted from another machine, arrives by gossip.
	last, _ := ann.store.entry(room, self, 4)
	body := hcrypto.RoomBody{Kind: hcrypto.BodyText, Name: "Ann", SentAt: time.Now().UnixMilli(), Text: "from my laptop",
		Chained: true, Prev: hcrypto.ChainHash(last.Raw)}
	env, err := hcrypto.SealEnvelope(j.key, 0, ann.key, j.id, []byte(ann.id), 5, ann.clock.Now(), body.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if err := ann.net.topic(room).deliver(newTestNode(t, "Relay").id, env.Marshal()); err != nil {
		t.Fatal(err)
	}
	ann.waitFor("our seq 5 from elsewhere", func() bool {
		_, ok := ann.store.entry(room, self, 5)
		return ok
	})
	m, err := ann.Send(ctx, "#project", "four")
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := ann.store.entry(room, self, 6); !ok || e.Message.ID != m.ID {
		t.Fatalf("the post after ours from elsewhere is not seq 6: %+v", m)
	}
	chainOK(6)
	if ann.forkEvents() != 0 {
		t.Fatal("our own chain raised the fork alert")
	}
}
