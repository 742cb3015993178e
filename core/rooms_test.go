package core

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/storage"
)

// roomIDs returns the ids of a room's text messages in display order.
func (n *node) roomIDs(room string) []string {
	n.t.Helper()
	msgs, err := n.RoomHistory(context.Background(), room, nil, 100000)
	if err != nil {
		n.t.Fatal(err)
	}
	var ids []string
	for _, m := range msgs {
		if m.Kind == "text" {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

// accept waits for an invitation to room and accepts it.
func (n *node) accept(room string) {
	n.t.Helper()
	var id string
	n.waitFor("an invitation to "+room, func() bool {
		invs, err := n.RoomInvitations(context.Background())
		if err != nil {
			n.t.Fatal(err)
		}
		for _, inv := range invs {
			if inv.Room == room {
				id = inv.ID
				return true
			}
		}
		return false
	})
	if _, err := n.AcceptRoomInvitation(context.Background(), id); err != nil {
		n.t.Fatal(err)
	}
}

func (n *node) inRoom(room string) bool {
	rooms, err := n.Rooms(context.Background())
	if err != nil {
		n.t.Fatal(err)
	}
	for _, r := range rooms {
		if r.ID == room {
			return true
		}
	}
	return false
}

// trio starts Ann, Bob and Cat, all connected, and a room Ann created with
// the other two invited.
func trio(t *testing.T) (ann, bob, cat *node, room string) {
	ann = startNode(t, "", "Ann")
	bob = startNode(t, "", "Bob", ann.addr())
	cat = startNode(t, "", "Cat", ann.addr(), bob.addr())
	ann.waitOnline(bob, "Bob")
	ann.waitOnline(cat, "Cat")
	bob.waitOnline(cat, "Cat")
	r, err := ann.CreateRoom(context.Background(), "#project")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{bob, cat} {
		if _, err := ann.InviteToRoom(context.Background(), "#project", n.currentProfile().Name); err != nil {
			t.Fatal(err)
		}
		n.accept(r.ID)
	}
	for _, n := range []*node{ann, bob, cat} {
		n.waitFor("3 members", func() bool {
			ms, _ := n.RoomMembers(context.Background(), r.ID)
			return len(ms) == 3
		})
	}
	return ann, bob, cat, r.ID
}

func TestRoomConvergesInOneOrder(t *testing.T) {
	ann, bob, cat, room := trio(t)
	for i := range 10 {
		for _, n := range []*node{ann, bob, cat} {
			if _, err := n.SendRoom(context.Background(), room, fmt.Sprintf("%s %d", n.currentProfile().Name, i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range []*node{ann, bob, cat} {
		n.waitFor("30 messages", func() bool { return len(n.roomIDs(room)) == 30 })
	}
	want := ann.roomIDs(room)
	for _, n := range []*node{bob, cat} {
		if got := n.roomIDs(room); !slices.Equal(got, want) {
			t.Fatalf("%s shows another order", n.currentProfile().Name)
		}
	}
	// One author's messages keep their send order.
	msgs, _ := cat.RoomHistory(context.Background(), room, nil, 1000)
	last := map[string]uint64{}
	for _, m := range msgs {
		if m.AuthorSeq <= last[m.From] {
			t.Fatalf("author %s out of order", m.FromName)
		}
		last[m.From] = m.AuthorSeq
	}
}

func TestRoomCatchUpAfterAbsence(t *testing.T) {
	ann, bob, cat, room := trio(t)
	catDir := cat.dir
	cat.stop()
	for i := range 300 {
		n := []*node{ann, bob}[i%2]
		if _, err := n.SendRoom(context.Background(), room, fmt.Sprintf("while Cat is out %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	cat = startNode(t, catDir, "Cat", ann.addr())
	cat.waitFor("300 messages caught up", func() bool { return len(cat.roomIDs(room)) == 300 })
	// A burst beyond the room quota reaches the other poster through
	// catch-up sync rather than gossip; compare once Ann holds it all.
	ann.waitFor("Bob's burst at Ann", func() bool { return len(ann.roomIDs(room)) == 300 })
	if !slices.Equal(cat.roomIDs(room), ann.roomIDs(room)) {
		t.Fatal("Cat caught up in another order")
	}
}

func TestRoomInviteWhileOffline(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bobDir := t.TempDir()
	bob := startNode(t, bobDir, "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	bob.stop()
	r, err := ann.CreateRoom(context.Background(), "plans")
	if err != nil {
		t.Fatal(err)
	}
	ann.SendRoom(context.Background(), "#plans", "before Bob joined")
	if _, err := ann.InviteToRoom(context.Background(), "#plans", "Bob"); err != nil {
		t.Fatal(err)
	}
	bob = startNode(t, bobDir, "Bob", ann.addr())
	bob.accept(r.ID)
	bob.waitFor("Bob in #plans with its history", func() bool { return bob.inRoom(r.ID) && len(bob.roomIDs(r.ID)) == 1 })
	if err := bob.LeaveRoom(context.Background(), "#plans"); err != nil {
		t.Fatal(err)
	}
	if bob.inRoom(r.ID) {
		t.Fatal("still in the room after leaving")
	}
	ann.waitFor("Bob gone from the members", func() bool {
		ms, _ := ann.RoomMembers(context.Background(), r.ID)
		return len(ms) == 1
	})
}

func TestGeneralJoinedByEveryone(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	rooms, err := ann.Rooms(context.Background())
	if err != nil || len(rooms) != 1 || !rooms[0].General || !rooms[0].OpenLAN {
		t.Fatalf("Ann's rooms: %+v %v", rooms, err)
	}
	// The open #general is live only: a post reaches whoever is in its
	// gossip then, and nothing fetches it later. Post once Ann is.
	gid, gkey := hcrypto.GeneralRoom(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := bob.node.WaitMesh(ctx, ann.node.ID(), gkey.EpochTopic(gid, 0)); err != nil {
		t.Fatalf("Ann never entered Bob's gossip mesh of #general: %v", err)
	}
	if _, err := bob.Send(context.Background(), "#general", "hello all"); err != nil {
		t.Fatal(err)
	}
	ann.waitFor("the message in #general", func() bool { return len(ann.roomIDs(rooms[0].ID)) == 1 })
	if err := ann.LeaveRoom(context.Background(), "#general"); err == nil {
		t.Fatal("#general must not be left")
	}
	h, err := ann.History(context.Background(), "#general", 0, 10)
	if err != nil || len(h) == 0 {
		t.Fatalf("history #general: %v", err)
	}
}

func TestRoomBurstLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("burst: long")
	}
	// A private workspace: its #general catches up what gossip drops (the
	// open workspace's is live only).
	dirs := privateWorkspace(t, 2)
	ann := startNode(t, dirs[0], "Ann")
	bob := startNode(t, dirs[1], "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	gen, _ := ann.Rooms(context.Background())
	room := gen[0].ID
	text := string(make([]byte, 0, 1024))
	for len(text) < 1024 {
		text += "burst "
	}
	const n = 5000
	start := time.Now()
	for i := range n {
		if _, err := ann.SendRoom(context.Background(), room, fmt.Sprintf("%05d %s", i, text[:1000])); err != nil {
			t.Fatal(err)
		}
	}
	sent := time.Since(start)
	bob.waitFor("the whole burst", func() bool {
		c, _ := bob.Store().CountRoomEnvelopes(context.Background(), room)
		return c >= n+2 // plus both joins
	})
	t.Logf("burst of %d × 1 KiB: posted in %s, all at Bob after %s", n, sent.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// TestRoomForgeryAndReplay is a member gone rogue: Mallory holds the room
// key but cannot speak for Ann, replay her messages, or move them to
// another room; and Dave, without the key, stores nothing.
func TestRoomForgeryAndReplay(t *testing.T) {
	ann, bob, mal, room := trio(t) // Cat plays Mallory
	other, err := mal.CreateRoom(context.Background(), "other")
	if err != nil {
		t.Fatal(err)
	}
	mal.InviteToRoom(context.Background(), "#other", "Bob")
	bob.accept(other.ID)

	genuine, err := ann.SendRoom(context.Background(), room, "a genuine message from Ann")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{bob, mal} {
		n.waitFor("the genuine message", func() bool { return len(n.roomIDs(room)) == 1 })
	}
	ctx := context.Background()
	raw := func(id string) []byte {
		rows, err := mal.Store().RoomEnvelopesAfter(ctx, room, nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			env, _ := hcrypto.UnmarshalEnvelope(r)
			if env.ID() == id {
				return r
			}
		}
		t.Fatal("genuine envelope not found at Mallory")
		return nil
	}(genuine.ID)
	st := mal.rooms.Joined().Get(room)
	stored, _, err := mal.store.Room(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	key := hcrypto.RoomKey(stored.Key)
	// S2: an envelope that names Ann as author, signed by Mallory.
	forged, err := hcrypto.SealEnvelope(key, 0, mal.key, room, []byte(mal.ID()), 99, uint64(time.Now().UnixMilli())<<16,
		hcrypto.RoomBody{Kind: hcrypto.BodyText, Name: "Ann", SentAt: time.Now().UnixMilli(), Text: "forged"}.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	forged.Author = []byte(ann.ID())
	if forged.Sig, err = mal.key.Sign(forged.SignedBytes()); err != nil {
		t.Fatal(err)
	}
	st.Publish(ctx, forged.Marshal())
	// S2: Ann's genuine envelope gossiped by Mallory (inner author ≠ pubsub author).
	st.Publish(ctx, raw)
	// S3: the same envelope replayed into another room.
	mal.rooms.Joined().Get(other.ID).Publish(ctx, raw)

	// A sentinel from Mallory in each room: once Bob has it, the earlier
	// gossip from Mallory has been judged.
	s1, _ := mal.SendRoom(ctx, room, "sentinel")
	s2, _ := mal.SendRoom(ctx, other.ID, "sentinel")
	bob.waitFor("sentinels", func() bool {
		return slices.Contains(bob.roomIDs(room), s1.ID) && slices.Contains(bob.roomIDs(other.ID), s2.ID)
	})
	ids := bob.roomIDs(room)
	if slices.Contains(ids, forged.ID()) {
		t.Fatal("forged message stored")
	}
	n := 0
	for _, id := range ids {
		if id == genuine.ID {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the replayed message is stored %d times", n)
	}
	otherMsgs, _ := bob.RoomHistory(ctx, other.ID, nil, 100)
	for _, m := range otherMsgs {
		if m.From == ann.ID().String() {
			t.Fatal("a message replayed into another room was stored there")
		}
	}

	// A non-member subscribed to the topic with a wrong key stores nothing.
	dave := startNode(t, "", "Dave", ann.addr())
	dave.waitOnline(ann, "Ann")
	var wrong [32]byte
	if err := dave.rooms.Follow(storage.Room{ID: room, Name: "project", Key: wrong}); err != nil {
		t.Fatal(err)
	}
	ann.SendRoom(ctx, room, "members only")
	bob.waitFor("members only", func() bool { return len(bob.roomIDs(room)) == 3 })
	if c, _ := dave.Store().CountRoomEnvelopes(ctx, room); c != 0 {
		t.Fatalf("a non-member stored %d envelopes", c)
	}
}
