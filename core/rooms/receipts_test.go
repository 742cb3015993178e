package rooms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"
)

// relay gossips the envelopes from published in room since the last
// relay to each of to (receipts the nodes sent on their own are dropped).
func relay(t *testing.T, room string, from *testNode, to ...*testNode) {
	t.Helper()
	top := from.net.topic(room)
	top.mu.Lock()
	frames := slices.Clone(top.published)
	top.published = nil
	top.mu.Unlock()
	for _, n := range to {
		for _, raw := range frames {
			if hcrypto.IsReceipt(raw) {
				continue
			}
			if err := n.net.topic(room).deliver(from.id, raw); err != nil {
				t.Fatalf("%s refused a frame of %s: %v", n.id.ShortString(), from.id.ShortString(), err)
			}
		}
	}
}

// receiptOf seals n's receipt for room now and returns it as gossiped.
func receiptOf(t *testing.T, n *testNode, room string) []byte {
	t.Helper()
	if err := n.receipts.send(context.Background(), room, true); err != nil {
		t.Fatal(err)
	}
	top := n.net.topic(room)
	top.mu.Lock()
	defer top.mu.Unlock()
	raw := top.published[len(top.published)-1]
	top.published = nil
	if !hcrypto.IsReceipt(raw) {
		t.Fatal("the last frame published is not a receipt")
	}
	return raw
}

// ownReceipts is what Ann's history says of her message with text.
func ownReceipts(t *testing.T, n *testNode, text string) chat.Receipts {
	t.Helper()
	msgs, err := n.History(context.Background(), "#project", nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Text == text {
			if m.Receipts == nil {
				t.Fatalf("own message %q has no receipts", text)
			}
			return *m.Receipts
		}
	}
	t.Fatalf("no message %q", text)
	return chat.Receipts{}
}

// gossipReceipt seals from's receipt for room now, gossips it to to and
// waits until to has stored it (its writer stores it on its own time).
func gossipReceipt(t *testing.T, room string, from, to *testNode) {
	t.Helper()
	raw := receiptOf(t, from, room)
	if err := to.net.topic(room).deliver(from.id, raw); err != nil {
		t.Fatal(err)
	}
	to.waitFor("the receipt gossiped", func() bool {
		held, err := to.store.RoomReceipts(context.Background(), room)
		return err == nil && slices.ContainsFunc(held, func(r storage.RoomReceipt) bool {
			return r.Member == from.id.String() && bytes.Equal(r.Raw, raw)
		})
	})
}

// receiptNodes makes one node per name, each sending its receipts at once
// (no floor between two of them).
func receiptNodes(t *testing.T, names ...string) []*testNode {
	t.Helper()
	var out []*testNode
	for _, name := range names {
		n := newTestNode(t, name)
		n.receipts.floor = 0
		out = append(out, n)
	}
	return out
}

// Ann's post: delivered to whoever's receipt holds it, read by whoever's
// read position passed it; a member that turned read receipts off counts
// as delivered only. Receipts from outside the room or signed by another
// key are refused.
func TestReceiptsCountDeliveredAndRead(t *testing.T) {
	ctx := context.Background()
	nodes := receiptNodes(t, "Ann", "Bob", "Cat")
	ann, bob, cat := nodes[0], nodes[1], nodes[2]
	cat.receipts.readShared = func() bool { return false }
	room := project(t, ann, bob, cat)
	relay(t, room, ann, bob, cat)
	relay(t, room, bob, ann, cat)
	relay(t, room, cat, ann, bob)
	allMembers(t, room, ann, bob, cat)
	if _, err := ann.Send(ctx, "#project", "lunch at noon?"); err != nil {
		t.Fatal(err)
	}
	if got := ownReceipts(t, ann, "lunch at noon?"); got.Members != 2 || got.Delivered != 0 || got.Read != 0 {
		t.Fatalf("before any receipt: %+v", got)
	}
	relay(t, room, ann, bob, cat)
	for _, n := range []*testNode{bob, cat} {
		n.waitFor("Ann's post", func() bool { return n.store.count(room) >= 4 })
	}
	gossipReceipt(t, room, bob, ann)
	if got := ownReceipts(t, ann, "lunch at noon?"); got.Delivered != 1 || got.Read != 0 || !slices.Equal(got.DeliveredTo, []string{"Bob"}) {
		t.Fatalf("after Bob's receipt: %+v", got)
	}
	for _, n := range []*testNode{bob, cat} {
		if _, err := n.History(ctx, "#project", nil, 100); err != nil { // opening the room reads it
			t.Fatal(err)
		}
		gossipReceipt(t, room, n, ann)
	}
	got := ownReceipts(t, ann, "lunch at noon?")
	if got.Delivered != 2 || got.Read != 1 || !slices.Equal(got.ReadBy, []string{"Bob"}) {
		t.Fatalf("after both read (Cat shares no read position): %+v", got)
	}

	// Mallory holds the key but never joined: refused. Bob's receipt
	// forwarded by Mallory is Bob's, never hers. Her receipt claiming to
	// be Bob's does not verify.
	mal := newMallory(t)
	j := ann.Joined().Get(room)
	malRaw, err := hcrypto.SealReceipt(j.key, mal.key, hcrypto.Receipt{Room: room, Member: []byte(mal.id), At: 1 << 50,
		Heads: []hcrypto.ReceiptHead{{Author: []byte(ann.id), Held: 99}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ann.net.topic(room).deliver(mal.id, malRaw); err == nil {
		t.Fatal("a receipt from outside the room was taken")
	}
	if author, _, err := ann.net.topic(room).validate(receiptOf(t, bob, room)); err != nil && !errors.Is(err, p2p.ErrIgnore) || err == nil && author != bob.id {
		t.Fatalf("Bob's receipt forwarded by Mallory: author %s, %v; want Bob's", author, err)
	}
	forged := append([]byte(nil), malRaw...)
	copy(forged[2+len(room):], []byte(bob.id)[:len(mal.id)])
	if err := ann.net.topic(room).deliver(bob.id, forged); err == nil {
		t.Fatal("a receipt signed by another key was taken")
	}
	if after := ownReceipts(t, ann, "lunch at noon?"); after.Delivered != 2 || after.Read != 1 {
		t.Fatalf("refused receipts changed the counts: %+v", after)
	}
	// Receipts are never messages.
	msgs, _ := ann.History(ctx, "#project", nil, 100)
	for _, m := range msgs {
		if m.Kind != string(chat.KindText) && m.Kind != string(chat.KindJoin) && m.Kind != string(chat.KindCreate) {
			t.Fatalf("history shows a %s message", m.Kind)
		}
	}
}

// After a partition, sync brings the receipts the other side kept: Cat,
// who never got Bob's receipt by gossip, counts it after one sync with Ann.
func TestReceiptsTravelInSync(t *testing.T) {
	ctx := context.Background()
	room, ann, bob, cat := threeInRoom(t)
	if _, err := cat.Send(ctx, "#project", "status?"); err != nil {
		t.Fatal(err)
	}
	relay(t, room, cat, ann, bob)
	bob.waitFor("Cat's post", func() bool { return bob.store.count(room) >= 4 })
	gossipReceipt(t, room, bob, ann)
	if got := ownReceipts(t, cat, "status?"); got.Delivered != 0 {
		t.Fatalf("Cat counts %+v before any receipt reached her", got)
	}
	// Ann's receipt must say she holds Cat's post: her writer stores it
	// on its own time.
	ann.waitFor("Cat's post", func() bool { return ann.store.count(room) >= 4 })
	receiptOf(t, ann, room) // Ann holds her own receipt and Bob's
	// Cat's own receipt went out already: the receipts written now are
	// those the sync brings.
	receiptOf(t, cat, room)
	connect(ann, cat)
	cat.receipts.connected(ann.id)
	before := len(cat.store.batchesOfReceipts())
	if err := cat.Syncer().pull(ctx, ann.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	got := ownReceipts(t, cat, "status?")
	if !slices.Contains(got.DeliveredTo, "Bob") || !slices.Contains(got.DeliveredTo, "Ann") {
		t.Fatalf("after a sync with Ann: %+v", got)
	}
	// The answer's receipts are kept in one write, not one each (Cat's
	// own receipt may be written meanwhile: she sends it when her heads
	// move, on her own time).
	var writes [][]string
	for _, b := range cat.store.batchesOfReceipts()[before:] {
		if slices.Contains(b, ann.id.String()) || slices.Contains(b, bob.id.String()) {
			writes = append(writes, b)
		}
	}
	if len(writes) != 1 || len(writes[0]) != 2 {
		t.Fatalf("the sync kept Ann's and Bob's receipts in writes %v, want one write of both", writes)
	}
}

// threeInRoom is Cat's room with Ann and Bob, every join relayed to all,
// the three sending receipts at once.
func threeInRoom(t *testing.T) (room string, ann, bob, cat *testNode) {
	t.Helper()
	nodes := receiptNodes(t, "Ann", "Bob", "Cat")
	ann, bob, cat = nodes[0], nodes[1], nodes[2]
	room = project(t, cat, ann, bob)
	relay(t, room, cat, ann, bob)
	relay(t, room, ann, bob, cat)
	relay(t, room, bob, ann, cat)
	allMembers(t, room, ann, bob, cat)
	return room, ann, bob, cat
}

// allMembers waits until each node knows every one of nodes as a member.
func allMembers(t *testing.T, room string, nodes ...*testNode) {
	t.Helper()
	for _, n := range nodes {
		n.waitFor("every member", func() bool {
			ms, _ := n.Members(context.Background(), "room:"+room)
			return len(ms) == len(nodes)
		})
	}
}

// In a large room a member's receipts are spaced by the room's size: the
// next one waits receiptInterval, not receiptEvery, after the last.
func TestReceiptsSpacedByRoomSize(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
		room := project(t, ann, bob)
		relay(t, room, ann, bob)
		relay(t, room, bob, ann)
		allMembers(t, room, ann, bob)
		// As if intake had counted a room of 100 members.
		const members = 100
		set := map[string]struct{}{ann.id.String(): {}, bob.id.String(): {}}
		for i := len(set); i < members; i++ {
			set[fmt.Sprint("member", i)] = struct{}{}
		}
		ann.receipts.mu.Lock()
		ann.receipts.members[room] = set
		ann.receipts.sizes[room] = len(set)
		ann.receipts.mu.Unlock()
		// Members change all the time in a room that large: the count
		// taken last still spaces the receipts.
		ann.receipts.membersChanged(room)
		time.Sleep(time.Minute) // whatever Ann sent while joining is long past
		synctest.Wait()
		sent := func() int {
			top := ann.net.topic(room)
			top.mu.Lock()
			defer top.mu.Unlock()
			n := 0
			for _, raw := range top.published {
				if hcrypto.IsReceipt(raw) {
					n++
				}
			}
			return n
		}
		post := func(text string) {
			t.Helper()
			if _, err := bob.Send(ctx, "#project", text); err != nil {
				t.Fatal(err)
			}
			relay(t, room, bob, ann)
			synctest.Wait()
		}
		before := sent()
		post("one")
		if got := sent() - before; got != 1 {
			t.Fatalf("%d receipts after a post long after the last, want 1 at once", got)
		}
		post("two")
		time.Sleep(receiptEvery + time.Second)
		synctest.Wait()
		if got := sent() - before; got != 1 {
			t.Fatalf("%d receipts %s after the first, in a room of %d; want the next only after %s",
				got, receiptEvery+time.Second, members, receiptInterval(members))
		}
		time.Sleep(receiptInterval(members) - receiptEvery)
		synctest.Wait()
		if got := sent() - before; got != 2 {
			t.Fatalf("%d receipts once %s passed, want 2", got, receiptInterval(members))
		}
	})
}

// A sync answer that brings the join of a member we had not heard of
// brings that member's receipt behind it: the receipt counts, checked
// once the join is stored.
func TestReceiptOfAMemberJoinedInTheSameAnswer(t *testing.T) {
	ctx := context.Background()
	nodes := receiptNodes(t, "Ann", "Bob", "Cat")
	ann, bob, cat := nodes[0], nodes[1], nodes[2]
	room := project(t, ann, bob, cat)
	relay(t, room, ann, bob, cat)
	relay(t, room, bob, ann, cat)
	relay(t, room, cat, ann) // Bob does not hear of Cat's join
	isMember := func(n *testNode, who *testNode) bool {
		ms, _ := n.Members(ctx, "room:"+room)
		return slices.ContainsFunc(ms, func(m chat.RoomMember) bool { return m.PeerID == who.id.String() })
	}
	ann.waitFor("Cat a member", func() bool { return isMember(ann, cat) })
	if isMember(bob, cat) {
		t.Fatal("Bob knows Cat as a member before any sync")
	}
	gossipReceipt(t, room, cat, ann)
	connect(ann, bob)
	bob.receipts.connected(ann.id)
	if err := bob.Syncer().pull(ctx, ann.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	// Another sync with Ann may have stored the join a moment before
	// ours and still be replaying it: wait for its end, not ours.
	bob.waitFor("the sync to bring Cat's join", func() bool { return isMember(bob, cat) })
	bob.waitFor("Cat's receipt kept", func() bool {
		stored, err := bob.store.RoomReceipts(ctx, room)
		return err == nil && slices.ContainsFunc(stored, func(r storage.RoomReceipt) bool { return r.Member == cat.id.String() })
	})
}

// The receipts of one answer are held back up to a bound, then admitted
// with the envelopes read so far stored; one of a room not asked about
// fails the answer at once.
func TestAnswerReceiptsHeldUpToABound(t *testing.T) {
	ann, bob := newTestNode(t, "Ann"), newTestNode(t, "Bob")
	room := project(t, ann, bob)
	relay(t, room, ann, bob)
	relay(t, room, bob, ann)
	raw := receiptOf(t, ann, room)
	a := &answerReceipts{y: bob.Syncer(), asked: map[string]*Joined{room: bob.Joined().Get(room)}}
	held := 0
	for full := false; !full; held++ {
		var err error
		if full, err = a.hold(raw); err != nil {
			t.Fatal(err)
		}
		if held*len(raw) > 2*maxHeldReceiptBytes {
			t.Fatal("held past the bound")
		}
	}
	if a.bytes < maxHeldReceiptBytes || a.bytes-len(raw) >= maxHeldReceiptBytes {
		t.Fatalf("full at %d bytes held, the bound is %d", a.bytes, maxHeldReceiptBytes)
	}
	a.admit(context.Background())
	if len(a.held) != 0 || a.bytes != 0 || len(a.in) == 0 {
		t.Fatalf("after admission: %d held (%d bytes), %d admitted", len(a.held), a.bytes, len(a.in))
	}
	other := &answerReceipts{y: bob.Syncer(), asked: map[string]*Joined{}}
	if _, err := other.hold(raw); err == nil {
		t.Fatal("a receipt of a room not asked about was held")
	}
}

// receiptsAnswered is how many receipts to's answer to a sync request of
// from for room carries; held: from names the receipts it holds.
func receiptsAnswered(t *testing.T, from, to *testNode, room string, held bool) int {
	t.Helper()
	ctx := context.Background()
	j := from.Joined().Get(room)
	budget := heldBudget
	r, err := from.Syncer().syncRoom(ctx, j, to.id, &budget)
	if err != nil {
		t.Fatal(err)
	}
	if held {
		if r.ReceiptsAt, err = from.Syncer().receiptsHeld(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	challenge := make([]byte, p2p.SyncChallengeBytes)
	r.Epochs = epochProofs(j, from.id, to.id, challenge)
	n := 0
	err = to.Syncer().ServeSync(ctx, from.id, challenge, p2p.SyncRequest{Rooms: []p2p.SyncRoom{r}, Receipts: true}, func(raw []byte) error {
		if hcrypto.IsReceipt(raw) {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A sync request names the receipts the asker holds, and the answer
// brings only newer ones; a peer that names none gets every one.
func TestSyncSendsOnlyNewerReceipts(t *testing.T) {
	nodes := receiptNodes(t, "Ann", "Bob")
	ann, bob := nodes[0], nodes[1]
	room := project(t, ann, bob)
	relay(t, room, ann, bob)
	relay(t, room, bob, ann)
	allMembers(t, room, ann, bob)
	gossipReceipt(t, room, ann, bob)
	gossipReceipt(t, room, bob, ann)
	if n := receiptsAnswered(t, bob, ann, room, false); n != 2 {
		t.Fatalf("naming nothing held, Bob was sent %d receipts, want both", n)
	}
	if n := receiptsAnswered(t, bob, ann, room, true); n != 0 {
		t.Fatalf("holding both, Bob was sent %d receipts", n)
	}
	// Ann's next receipt, which gossip did not bring Bob, comes alone.
	receiptOf(t, ann, room)
	if n := receiptsAnswered(t, bob, ann, room, true); n != 1 {
		t.Fatalf("after Ann's newer receipt, Bob was sent %d receipts, want it alone", n)
	}
}

// A member's receipt follows the posts it holds, not the room's changes
// of members: an office arriving together changes #general's members
// hundreds of times, and each receipt is checked by every member. Ann
// sends none for Bob's join, and one for his first post, which says all
// she holds.
func TestNoReceiptForAJoin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		nodes := receiptNodes(t, "Ann", "Bob")
		ann, bob := nodes[0], nodes[1]
		room := project(t, ann, bob)
		relay(t, room, ann, bob)
		time.Sleep(time.Minute) // whatever Ann sent on creating the room is long past
		synctest.Wait()
		ann.net.topic(room).mu.Lock()
		ann.net.topic(room).published = nil
		ann.net.topic(room).mu.Unlock()
		receipts := func() [][]byte {
			top := ann.net.topic(room)
			top.mu.Lock()
			defer top.mu.Unlock()
			var out [][]byte
			for _, raw := range top.published {
				if hcrypto.IsReceipt(raw) {
					out = append(out, raw)
				}
			}
			return out
		}
		relay(t, room, bob, ann) // Bob's join
		allMembers(t, room, ann, bob)
		synctest.Wait()
		if got := len(receipts()); got != 0 {
			t.Fatalf("Ann sent %d receipts for Bob's join, want none", got)
		}
		if _, err := bob.Send(ctx, "#project", "hello"); err != nil {
			t.Fatal(err)
		}
		relay(t, room, bob, ann)
		synctest.Wait()
		got := receipts()
		if len(got) != 1 {
			t.Fatalf("Ann sent %d receipts for Bob's post, want 1", len(got))
		}
		sealed, err := hcrypto.UnmarshalReceipt(got[0])
		if err != nil {
			t.Fatal(err)
		}
		rec, err := ann.Joined().Get(room).openReceipt(sealed)
		if err != nil {
			t.Fatal(err)
		}
		heads, err := bob.store.RoomHeads(ctx, room)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range rec.Heads {
			if string(h.Author) == string(bob.id) && h.Held != heads[bob.id.String()] {
				t.Fatalf("Ann's receipt holds %d of Bob's entries, want all %d (his join with his post)", h.Held, heads[bob.id.String()])
			}
		}
	})
}
