package storage

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestRoomInvitesPendAndStayCapped(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	lim := InviteLimits{Total: 4, PerInviter: 2}
	inv := func(id, room, from, name string) RoomInvite {
		r := RoomInvite{ID: id, Room: room, Inviter: from, Name: name, At: time.UnixMilli(1_700_000_000_000)}
		r.Key[0] = name[0]
		return r
	}
	for _, r := range []RoomInvite{inv("a1", "r1", "ann", "one"), inv("a2", "r2", "ann", "two"), inv("b1", "r1", "bob", "one")} {
		if replaced, err := s.PutRoomInvite(ctx, r, lim); err != nil || replaced {
			t.Fatalf("put %s: %v %v", r.ID, replaced, err)
		}
	}
	// A repeat replaces, whatever the limits.
	again := inv("a1-again", "r1", "ann", "renamed")
	if replaced, err := s.PutRoomInvite(ctx, again, lim); err != nil || !replaced {
		t.Fatalf("repeat: %v %v", replaced, err)
	}
	got, ok, err := s.RoomInvite(ctx, "a1")
	if err != nil || !ok || got.Name != "renamed" || got.Key[0] != 'r' {
		t.Fatalf("after the repeat: %+v %v %v", got, ok, err)
	}
	if _, err := s.PutRoomInvite(ctx, inv("a3", "r3", "ann", "three"), lim); !errors.Is(err, ErrTooManyInvitesFrom) {
		t.Fatalf("a third from one inviter: %v", err)
	}
	if _, err := s.PutRoomInvite(ctx, inv("c1", "r4", "cat", "four"), lim); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRoomInvite(ctx, inv("d1", "r5", "dan", "five"), lim); !errors.Is(err, ErrTooManyInvites) {
		t.Fatalf("a fifth in all: %v", err)
	}
	all, err := s.RoomInvites(ctx)
	if err != nil || len(all) != 4 {
		t.Fatalf("pending %+v %v", all, err)
	}
	done, err := s.DeleteRoomInvitesFor(ctx, "r1")
	if err != nil || len(done) != 2 {
		t.Fatalf("settled %+v %v", done, err)
	}
	if ok, err := s.DeleteRoomInvite(ctx, "a2"); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if ok, _ := s.DeleteRoomInvite(ctx, "a2"); ok {
		t.Fatal("deleted twice")
	}
	all, _ = s.RoomInvites(ctx)
	if fmt.Sprint(len(all)) != "1" || all[0].ID != "c1" {
		t.Fatalf("left %+v", all)
	}
}

// Pending invitations survive a restart.
func TestRoomInvitesPersist(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(t.Context(), dir+"/h.db")
	if err != nil {
		t.Fatal(err)
	}
	r := RoomInvite{ID: "x", Room: "r", Inviter: "ann", Name: "plans"}
	if _, err := s.PutRoomInvite(t.Context(), r, InviteLimits{Total: 1, PerInviter: 1}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(t.Context(), dir+"/h.db"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, ok, err := s.RoomInvite(t.Context(), "x"); err != nil || !ok || got.Name != "plans" || got.At.IsZero() {
		t.Fatalf("after reopening: %+v %v %v", got, ok, err)
	}
}
