package storage

import (
	"bytes"
	"testing"

	"hallway/chat"
)

// A membership operation is stored with its envelope, once, and read back
// for the replay; the earliest join names a room's owner from before
// operations; an invitation keeps the add it names.
func TestRoomOpsStoredWithTheirEnvelope(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	op := entry("r1", bob, 1, 10)
	op.Message.Kind, op.Message.Text = string(chat.KindAdd), "invited someone"
	op.Op = &OpRecord{Hash: [32]byte{7}, Op: []byte{1, 6, 0, 0, 0, 0}, Name: "Bob"}
	join := change(cat, 1, 5, cat, "Cat", true)
	later := change(bob, 2, 20, bob, "Bob", true)
	for range 2 { // a repeat stores nothing twice
		if _, err := s.InsertRoomEntries(ctx, []RoomEntry{op, join, later}); err != nil {
			t.Fatal(err)
		}
	}
	ops, err := s.RoomOps(ctx, "r1")
	if err != nil || len(ops) != 1 {
		t.Fatalf("ops %+v, %v", ops, err)
	}
	if o := ops[0]; o.Hash != op.Op.Hash || o.ID != op.Message.ID || o.Author != bob || o.Seq != 1 ||
		!bytes.Equal(o.Op, op.Op.Op) || o.Name != "Bob" {
		t.Fatalf("stored op %+v", o)
	}
	// Not conversation: search never finds an operation.
	var hits int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM message_fts WHERE message_fts MATCH 'invited'`).Scan(&hits); err != nil || hits != 0 {
		t.Fatalf("search finds %d operations (%v)", hits, err)
	}
	if err := s.CheckSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if ops, _ := s.RoomOps(ctx, "r2"); len(ops) != 0 {
		t.Fatalf("another room's ops: %+v", ops)
	}
	if who, ok, err := s.FirstRoomJoin(ctx, "r1"); err != nil || !ok || who != cat {
		t.Fatalf("first join %q %v %v, want Cat's (earliest clock)", who, ok, err)
	}
	if _, ok, err := s.FirstRoomJoin(ctx, "r2"); err != nil || ok {
		t.Fatalf("first join of an empty room: %v %v", ok, err)
	}

	inv := RoomInvite{ID: "i1", Room: "r9", Inviter: bob, Name: "x", AddOp: bytes.Repeat([]byte{3}, 32)}
	if _, err := s.PutRoomInvite(ctx, inv, InviteLimits{Total: 10, PerInviter: 5}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.RoomInvite(ctx, "i1")
	if err != nil || !ok || !bytes.Equal(got.AddOp, inv.AddOp) {
		t.Fatalf("invite %+v %v %v", got, ok, err)
	}
}
