package rooms

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// sentKeys takes the room keys n queued since the last call.
func (n *testNode) sentKeys() []sentKey {
	n.keysMu.Lock()
	defer n.keysMu.Unlock()
	out := n.keys
	n.keys = nil
	return out
}

// removeMember has by remove who from room, and waits for the re-key the
// removal brings: its keys are then in by.sentKeys.
func removeMember(t *testing.T, by *testNode, room string, who *testNode) {
	t.Helper()
	ctx := context.Background()
	if err := by.Remove(ctx, "room:"+room, who.id.String()); err != nil {
		t.Fatal(err)
	}
	ms, err := by.Members(ctx, "room:"+room)
	if err != nil {
		t.Fatal(err)
	}
	keys := by.waitKeys(len(ms) - 1)
	by.keysMu.Lock()
	by.keys = append(keys, by.keys...)
	by.keysMu.Unlock()
}

// waitKeys waits until n queued want room keys, and takes them.
func (n *testNode) waitKeys(want int) []sentKey {
	n.t.Helper()
	n.waitFor(fmt.Sprintf("%d room keys queued", want), func() bool {
		n.keysMu.Lock()
		defer n.keysMu.Unlock()
		return len(n.keys) >= want
	})
	return n.sentKeys()
}

// handOver delivers the keys from queued to those of nodes they were
// queued for, as the DM outbox would; it returns who got one.
func handOver(t *testing.T, from *testNode, queued []sentKey, nodes ...*testNode) map[peer.ID]bool {
	t.Helper()
	got := map[peer.ID]bool{}
	for _, s := range queued {
		got[s.to] = true
		for _, n := range nodes {
			if n.id == s.to {
				k := s.k
				n.RoomKeyReceived(context.Background(), from.id, &k)
			}
		}
	}
	return got
}

// meshed makes every pair of nodes sync room both ways, so each holds
// every join (the members) and everything posted.
func meshed(t *testing.T, room string, nodes ...*testNode) {
	t.Helper()
	for _, a := range nodes {
		for _, b := range nodes {
			if a != b {
				connect(a, b)
			}
		}
	}
	for range 2 {
		for _, a := range nodes {
			for _, b := range nodes {
				if a != b {
					if err := a.Syncer().pull(context.Background(), b.id, []string{room}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	// What gossip stored meanwhile may still be on its way to a replay
	// of its own; replay here, so the test reads the log as stored.
	for _, n := range nodes {
		if j := n.Joined().Get(room); j != nil {
			if err := n.relog(context.Background(), j); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func (n *testNode) epoch(room string) uint64 {
	e, _ := n.Joined().Get(room).current()
	return e
}

// holdsText reports whether n stored a message of room with this text.
func (n *testNode) holdsText(room, text string) bool {
	n.store.mu.Lock()
	defer n.store.mu.Unlock()
	for _, e := range n.store.entries {
		if e.Room == room && e.Message.Text == text {
			return true
		}
	}
	return false
}

// A re-key without Mal: the others get the new key, posts move to the new
// epoch, and Mal, keeping every old key and the old topic, can open none
// of them, nor be served them by sync, nor prove the new epoch.
func TestRekeyLeavesTheRemovedMemberBlind(t *testing.T) {
	ctx := context.Background()
	ann, bob, cat, mal := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat"), newTestNode(t, "Mal")
	room := project(t, ann, bob, cat, mal)
	meshed(t, room, ann, bob, cat, mal)
	removeMember(t, ann, room, mal)
	got := handOver(t, ann, ann.sentKeys(), bob, cat, mal)
	if !got[bob.id] || !got[cat.id] || got[mal.id] || got[ann.id] {
		t.Fatalf("keys queued for %v; want Bob and Cat only", got)
	}
	for _, n := range []*testNode{ann, bob, cat} {
		if n.epoch(room) != 1 {
			t.Fatalf("%s is at epoch %d, want 1", n.id.ShortString(), n.epoch(room))
		}
	}
	if mal.epoch(room) != 0 {
		t.Fatal("Mal got the new key")
	}
	if _, err := bob.Send(ctx, "#project", "after the re-key"); err != nil {
		t.Fatal(err)
	}
	raw := bob.lastGossip(room)
	env, err := hcrypto.UnmarshalEnvelope(raw)
	if err != nil || env.Epoch != 1 {
		t.Fatalf("Bob posted under epoch %d (%v), want 1", env.Epoch, err)
	}
	// Mal's capture on the old topic: no key it kept opens it.
	for _, k := range mal.Joined().Get(room).allKeys(64) {
		if _, err := env.Open(k.key); err == nil {
			t.Fatalf("Mal opened a post after the re-key with its epoch %d key", k.epoch)
		}
	}
	if err := mal.net.topic(room).deliver(bob.id, raw); err == nil {
		t.Error("Mal's node accepted a post of an epoch it holds no key for")
	}
	// Sync: Cat is served the post, Mal nothing of epoch 1.
	if err := cat.Syncer().pull(ctx, bob.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	if err := mal.Syncer().pull(ctx, bob.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	cat.waitFor("Cat's copy of the post", func() bool { return cat.holdsText(room, "after the re-key") })
	if mal.holdsText(room, "after the re-key") {
		t.Fatal("sync served Mal a post of the epoch it was left out of")
	}
	challenge := bytes.Repeat([]byte{9}, p2p.SyncChallengeBytes)
	served := 0
	err = bob.Syncer().ServeSync(ctx, mal.id, challenge, p2p.SyncRequest{Rooms: []p2p.SyncRoom{{ID: room,
		Epochs: epochProofs(mal.Joined().Get(room), mal.id, bob.id, challenge)}}}, func(raw []byte) error {
		e, err := hcrypto.UnmarshalEnvelope(raw)
		if err != nil || e.Epoch != 0 {
			t.Errorf("Mal was served an envelope of epoch %d", e.Epoch)
		}
		served++
		return nil
	})
	if err != nil || served == 0 {
		t.Fatalf("Mal's sync of the old epoch: %d served, %v", served, err)
	}
	topic1 := bob.Joined().Get(room).wanted()
	for name, tk := range topic1 {
		if tk.epoch == 1 {
			if bob.net.isProven(mal.id, name) {
				t.Error("Mal is marked as a member of the new epoch's topic")
			}
			if !bob.net.isProven(cat.id, name) {
				t.Error("Cat, who proved the new epoch, is not marked")
			}
		}
	}
}

// A member offline during two re-keys gets both keys, in any order, and
// sync then brings it the posts of each epoch.
func TestOfflineMemberCatchesUpOnTwoRekeys(t *testing.T) {
	ctx := context.Background()
	ann, bob, dan := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Dan")
	room := project(t, ann, bob, dan)
	meshed(t, room, ann, bob, dan)
	if err := ann.Rekey(ctx, room, nil); err != nil {
		t.Fatal(err)
	}
	first := ann.sentKeys()
	handOver(t, ann, first, bob) // Dan is away
	if _, err := ann.Send(ctx, "#project", "in epoch 1"); err != nil {
		t.Fatal(err)
	}
	if err := bob.Rekey(ctx, room, nil); err != nil {
		t.Fatal(err)
	}
	second := bob.sentKeys()
	handOver(t, bob, second, ann)
	if _, err := ann.Send(ctx, "#project", "in epoch 2"); err != nil {
		t.Fatal(err)
	}
	if ann.epoch(room) != 2 || bob.epoch(room) != 2 {
		t.Fatalf("epochs %d and %d, want 2", ann.epoch(room), bob.epoch(room))
	}
	// Dan returns: the outbox delivers the newer key first.
	handOver(t, bob, second, dan)
	handOver(t, ann, first, dan)
	if dan.epoch(room) != 2 || !dan.Joined().Get(room).holds(1) {
		t.Fatalf("Dan is at epoch %d, holding epoch 1: %v", dan.epoch(room), dan.Joined().Get(room).holds(1))
	}
	if err := dan.Syncer().pull(ctx, ann.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	dan.waitFor("both epochs' posts", func() bool {
		return dan.holdsText(room, "in epoch 1") && dan.holdsText(room, "in epoch 2")
	})
	if _, err := dan.Send(ctx, "#project", "back"); err != nil {
		t.Fatal(err)
	}
	if env, _ := hcrypto.UnmarshalEnvelope(dan.lastGossip(room)); env == nil || env.Epoch != 2 {
		t.Fatal("Dan does not post under the newest epoch")
	}
}

// The rules a handed-over key must pass.
func TestEpochKeyRules(t *testing.T) {
	ctx := context.Background()
	ann, bob, mal, eve := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Mal"), newTestNode(t, "Eve")
	room := project(t, ann, bob, mal)
	meshed(t, room, ann, bob, mal)
	removeMember(t, ann, room, mal)
	handOver(t, ann, ann.sentKeys(), bob)
	j := bob.Joined().Get(room)
	_, held := j.current()
	key := func() []byte { k, _ := hcrypto.NewRoomKey(); return k[:] }
	for name, c := range map[string]struct {
		from peer.ID
		k    p2p.RoomKey
	}{
		"from a colleague not in the room":  {eve.id, p2p.RoomKey{Room: room, Epoch: 2, Key: key()}},
		"from the member a re-key left out": {mal.id, p2p.RoomKey{Room: room, Epoch: 2, Key: key()}},
		"too far ahead":                     {ann.id, p2p.RoomKey{Room: room, Epoch: 1 + maxEpochAhead + 1, Key: key()}},
		"leaving us out":                    {ann.id, p2p.RoomKey{Room: room, Epoch: 2, Key: key(), Removed: []string{bob.id.String()}}},
	} {
		bob.RoomKeyReceived(ctx, c.from, &c.k)
		if e, k := j.current(); e != 1 || k != held {
			t.Fatalf("%s: a key was taken (epoch %d)", name, e)
		}
	}
	// Epoch 0 is held: no key replaces or joins it once a later one is.
	bob.RoomKeyReceived(ctx, ann.id, &p2p.RoomKey{Room: room, Epoch: 0, Key: key()})
	if len(j.keysOf(0)) != 1 {
		t.Fatal("a second key for an old epoch was taken")
	}
	if slices.ContainsFunc(bob.store.epochKeys, func(k storage.EpochKey) bool { return k.Sender == mal.id.String() }) {
		t.Fatal("a refused key was stored")
	}
}

// Two members re-key at once: every member keeps both keys of the epoch
// and seals under the same one, whose commitment sorts first.
func TestConcurrentRekeysAgree(t *testing.T) {
	ctx := context.Background()
	ann, bob, cat := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat")
	room := project(t, ann, bob, cat)
	meshed(t, room, ann, bob, cat)
	if err := ann.Rekey(ctx, room, nil); err != nil {
		t.Fatal(err)
	}
	if err := bob.Rekey(ctx, room, nil); err != nil {
		t.Fatal(err)
	}
	fromAnn, fromBob := ann.sentKeys(), bob.sentKeys()
	handOver(t, bob, fromBob, ann, cat)
	handOver(t, ann, fromAnn, bob, cat)
	var keys []hcrypto.RoomKey
	for _, n := range []*testNode{ann, bob, cat} {
		e, k := n.Joined().Get(room).current()
		if e != 1 || len(n.Joined().Get(room).keysOf(1)) != 2 {
			t.Fatalf("%s: epoch %d with %d keys, want 1 with both", n.id.ShortString(), e, len(n.Joined().Get(room).keysOf(1)))
		}
		keys = append(keys, k)
	}
	if keys[0] != keys[1] || keys[1] != keys[2] {
		t.Fatal("members seal under different keys after a concurrent re-key")
	}
	// A post under the winning key opens everywhere, also at the member
	// whose own key lost.
	if _, err := cat.Send(ctx, "#project", "agreed"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*testNode{ann, bob} {
		e, k := n.Joined().Get(room).current()
		if err := n.net.topicNamed(k.EpochTopic(room, e)).deliver(cat.id, cat.lastGossip(room)); err != nil {
			t.Fatalf("%s: %v", n.id.ShortString(), err)
		}
	}
}

// leaveOf delivers the leave author just posted in room to nodes.
func leaveOf(t *testing.T, author *testNode, room string, raw []byte, nodes ...*testNode) {
	t.Helper()
	for _, n := range nodes {
		e, k := n.Joined().Get(room).current()
		if err := n.net.topicNamed(k.EpochTopic(room, e)).deliver(author.id, raw); err != nil {
			t.Fatal(err)
		}
	}
}

// ranked is the remaining members by the re-key rule: by peer ID.
func ranked(nodes ...*testNode) []*testNode {
	out := slices.Clone(nodes)
	slices.SortFunc(out, func(a, b *testNode) int { return strings.Compare(a.id.String(), b.id.String()) })
	return out
}

// catLeft makes Ann, Bob and Cat members of a room, all holding all of
// it, and has Cat leave it: the leave is gossiped to nobody yet. first
// and second are Ann and Bob in the re-key rule's order.
func catLeft(t *testing.T) (room string, cat, first, second *testNode) {
	t.Helper()
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	cat = newTestNode(t, "Cat")
	room = project(t, ann, bob, cat)
	meshed(t, room, ann, bob, cat)
	// The syncs back that the mesh started are done before Cat leaves:
	// none brings the leave, which each test delivers its own way.
	synctest.Wait()
	if err := cat.Leave(context.Background(), "#project"); err != nil {
		t.Fatal(err)
	}
	r := ranked(ann, bob)
	return room, cat, r[0], r[1]
}

// When a member leaves, the remaining member ranked first re-keys at
// once; the next waits rekeyGrace and does nothing once the new epoch
// reached it.
func TestLeaveRekeysByRank(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		room, cat, first, second := catLeft(t)
		raw := cat.lastGossip(room)
		leaveOf(t, cat, room, raw, first, second)
		synctest.Wait()
		keys := first.sentKeys()
		if len(keys) != 1 || keys[0].to != second.id {
			t.Fatalf("the first ranked queued %d keys, want one for the other member", len(keys))
		}
		handOver(t, first, keys, second)
		time.Sleep(2 * rekeyGrace)
		synctest.Wait()
		if n := len(second.sentKeys()); n != 0 {
			t.Fatalf("the second ranked re-keyed too (%d keys) though the new epoch reached it", n)
		}
		if second.epoch(room) != 1 {
			t.Fatalf("the second ranked is at epoch %d, want 1", second.epoch(room))
		}
	})
}

// When the member ranked first is away, the next re-keys after its
// grace.
func TestLeaveRekeysWhenTheFirstIsAway(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		room, cat, first, second := catLeft(t)
		leaveOf(t, cat, room, cat.lastGossip(room), second) // the first is away
		synctest.Wait()
		if n := len(second.sentKeys()); n != 0 {
			t.Fatal("the second ranked re-keyed before its grace")
		}
		time.Sleep(rekeyGrace + time.Second)
		synctest.Wait()
		keys := second.sentKeys()
		if len(keys) != 1 || keys[0].to != first.id || second.epoch(room) != 1 {
			t.Fatalf("after the grace: %d keys, epoch %d; want the first ranked handed epoch 1", len(keys), second.epoch(room))
		}
	})
}

// A member a re-key left out gets no key of any later re-key either,
// though the room's log (without a removal) still lists it.
func TestLaterRekeysKeepTheRemovedOut(t *testing.T) {
	ctx := context.Background()
	ann, bob, mal := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Mal")
	room := project(t, ann, bob, mal)
	meshed(t, room, ann, bob, mal)
	removeMember(t, ann, room, mal)
	handOver(t, ann, ann.sentKeys(), bob)
	if err := bob.Rekey(ctx, room, nil); err != nil {
		t.Fatal(err)
	}
	for _, k := range bob.sentKeys() {
		if k.to == mal.id {
			t.Fatal("a later re-key handed its key to the member an earlier one left out")
		}
	}
}

// A key from a member whose join has not reached us yet is taken once a
// sync with its sender shows the join.
func TestKeyFromAMemberNotSeenYet(t *testing.T) {
	ctx := context.Background()
	ann, bob, cat := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat")
	room := project(t, ann, bob, cat)
	meshed(t, room, ann, bob)
	connect(bob, cat)
	// Bob learns Cat joined; Cat holds no join but its own.
	if err := bob.Syncer().pull(ctx, cat.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	if err := bob.Rekey(ctx, room, nil); err != nil {
		t.Fatal(err)
	}
	handOver(t, bob, bob.sentKeys(), cat)
	if cat.epoch(room) != 1 {
		t.Fatal("Cat refused the key of a member whose join it had not seen")
	}
}

// A member may not re-key a colleague out by itself: a key whose removed
// list names someone the room's log still counts as a member is refused,
// even after a sync with its sender; one that follows an accepted removal
// is taken.
func TestRekeyMayLeaveOutOnlyWhomTheLogLetGo(t *testing.T) {
	ctx := context.Background()
	ann, bob, cat, mal := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat"), newTestNode(t, "Mal")
	room := project(t, ann, bob, cat, mal)
	meshed(t, room, ann, bob, cat, mal)
	// Mal, a plain member, re-keys without Bob (its own build would).
	if err := mal.Rekey(ctx, room, []peer.ID{bob.id}); err != nil {
		t.Fatal(err)
	}
	if got := handOver(t, mal, mal.sentKeys(), ann, cat); !got[ann.id] || !got[cat.id] {
		t.Fatalf("Mal's re-key went to %v", got)
	}
	if ann.epoch(room) != 0 || cat.epoch(room) != 0 {
		t.Fatalf("a re-key leaving out a member was taken: Ann at epoch %d, Cat at %d", ann.epoch(room), cat.epoch(room))
	}
	// The owner removes Bob: that re-key is taken.
	removeMember(t, ann, room, bob)
	handOver(t, ann, ann.sentKeys(), cat, mal)
	if cat.epoch(room) != 1 || mal.epoch(room) != 1 {
		t.Fatalf("after the removal Cat is at epoch %d, Mal at %d", cat.epoch(room), mal.epoch(room))
	}
}

// A member back from an absence gets the keys of two re-keys, the newer
// first. Each leaves out a member whose removal is sealed under the epoch
// before it, so the newer one cannot be checked until the older one opens
// that removal: it is held, and taken right after the older one.
func TestKeyHeldUntilTheLogShowsItsRemoval(t *testing.T) {
	ann, bob, cat, eve := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Cat"), newTestNode(t, "Eve")
	room := project(t, ann, bob, cat, eve)
	meshed(t, room, ann, bob, cat, eve)
	for _, n := range []*testNode{ann, bob, cat} {
		disconnect(n, eve) // Eve is away
	}
	removeMember(t, ann, room, cat)
	first := ann.sentKeys()
	handOver(t, ann, first, bob)
	removeMember(t, ann, room, bob) // sealed under epoch 1
	second := ann.sentKeys()

	connect(ann, eve)
	handOver(t, ann, second, eve)
	if eve.epoch(room) != 0 {
		t.Fatalf("Eve took the epoch 2 key before she could see Bob's removal: epoch %d", eve.epoch(room))
	}
	handOver(t, ann, first, eve)
	if eve.epoch(room) != 2 {
		t.Fatalf("Eve is at epoch %d after both keys, want 2", eve.epoch(room))
	}
}
