package core

import (
	"context"
	"slices"
	"testing"

	"hallway/archive"
	"hallway/chat"
	hcrypto "hallway/crypto"
)

// epoch is n's newest key epoch of room.
func (n *node) epoch(room string) uint64 {
	j := n.rooms.Joined().Get(room)
	if j == nil {
		return 0
	}
	return j.Epoch()
}

// textEpoch reports whether n holds a message of room with this text,
// and under which epoch it was sealed.
func (n *node) textEpoch(room, text string) (uint64, bool) {
	n.t.Helper()
	msgs, err := n.RoomHistory(context.Background(), room, nil, 100000)
	if err != nil {
		n.t.Fatal(err)
	}
	i := slices.IndexFunc(msgs, func(m chat.Message) bool { return m.Text == text })
	if i < 0 {
		return 0, false
	}
	raws, err := n.store.RoomEnvelopesAfter(context.Background(), room, nil, 100000)
	if err != nil {
		n.t.Fatal(err)
	}
	for _, raw := range raws {
		env, err := hcrypto.UnmarshalEnvelope(raw)
		if err == nil && env.ID() == msgs[i].ID {
			return env.Epoch, true
		}
	}
	return 0, true
}

// Over real hosts: a member away during two re-keys gets both keys from
// the outbox when it returns and catches up on both epochs' posts; then a
// member leaves and the remaining members move to a new epoch by
// themselves, the leaver left without its key.
func TestRoomRekeysOverRealHosts(t *testing.T) {
	ctx := context.Background()
	ann, bob, cat, room := trio(t)
	danDir := t.TempDir()
	dan := startNode(t, danDir, "Dan", ann.addr(), bob.addr(), cat.addr())
	ann.waitOnline(dan, "Dan")
	if _, err := ann.InviteToRoom(ctx, "#project", "Dan"); err != nil {
		t.Fatal(err)
	}
	dan.accept(room)
	for _, n := range []*node{ann, bob, cat, dan} {
		n.waitFor("4 members", func() bool {
			ms, _ := n.RoomMembers(ctx, room)
			return len(ms) == 4
		})
	}
	dan.stop()

	if err := ann.rooms.Rekey(ctx, room, nil); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("epoch 1", func() bool { return bob.epoch(room) == 1 })
	if _, err := ann.SendRoom(ctx, "#project", "in epoch 1"); err != nil {
		t.Fatal(err)
	}
	if err := bob.rooms.Rekey(ctx, room, nil); err != nil {
		t.Fatal(err)
	}
	ann.waitFor("epoch 2", func() bool { return ann.epoch(room) == 2 })
	if _, err := ann.SendRoom(ctx, "#project", "in epoch 2"); err != nil {
		t.Fatal(err)
	}
	dan = startNode(t, danDir, "Dan", ann.addr(), bob.addr(), cat.addr())
	dan.waitFor("both epochs' keys and posts", func() bool {
		e1, ok1 := dan.textEpoch(room, "in epoch 1")
		e2, ok2 := dan.textEpoch(room, "in epoch 2")
		return dan.epoch(room) == 2 && ok1 && ok2 && e1 == 1 && e2 == 2
	})

	// Cat leaves: Ann, Bob and Dan move to epoch 3 among themselves.
	if err := cat.LeaveRoom(ctx, "#project"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{ann, bob, dan} {
		n.waitFor("epoch 3 after the leave", func() bool { return n.epoch(room) == 3 })
	}
	if _, err := bob.SendRoom(ctx, "#project", "after Cat left"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{ann, dan} {
		n.waitFor("Bob's post under epoch 3", func() bool {
			e, ok := n.textEpoch(room, "after Cat left")
			return ok && e == 3
		})
	}
	// Ann's export proves the posts of every epoch.
	data, sum := exportOf(t, ann, ExportOptions{In: "#project"})
	if r := archive.Verify(data); !r.OK() || r.Unsigned != 0 || r.Verified != sum.Messages {
		t.Fatalf("an export across epochs: report %+v, summary %+v", r, sum)
	}
	keys, err := cat.store.RoomEpochKeys(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Epoch >= 3 {
			t.Fatal("the leaver holds the key of the epoch after its leave")
		}
	}
}
