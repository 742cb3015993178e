package core

import (
	"context"
	"testing"
)

// Over real hosts: Ann's post is counted delivered to Bob and Cat from
// their receipts, and read once they open the room.
func TestRoomReceiptsOverRealHosts(t *testing.T) {
	ann, bob, cat, room := trio(t)
	ctx := context.Background()
	if _, err := ann.SendRoom(ctx, room, "lunch?"); err != nil {
		t.Fatal(err)
	}
	counts := func() (delivered, read int) {
		msgs, err := ann.RoomHistory(ctx, room, nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Text == "lunch?" && m.Receipts != nil {
				return m.Receipts.Delivered, m.Receipts.Read
			}
		}
		return -1, -1
	}
	ann.waitFor("delivered to 2", func() bool { d, _ := counts(); return d == 2 })
	for _, n := range []*node{bob, cat} {
		if _, err := n.RoomHistory(ctx, room, nil, 100); err != nil {
			t.Fatal(err)
		}
	}
	ann.waitFor("read by 2", func() bool { _, r := counts(); return r == 2 })
	// The window reads pages, and sees the same.
	page, err := ann.Page(ctx, "room:"+room, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page {
		if m.Text == "lunch?" && (m.Receipts == nil || m.Receipts.Delivered != 2 || m.Receipts.Read != 2) {
			t.Fatalf("the window's page says %+v", m.Receipts)
		}
	}
}
