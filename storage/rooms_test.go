package storage

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

func testKey(b byte) [32]byte {
	var k [32]byte
	for i := range k {
		k[i] = b
	}
	return k
}

func roomIDs(rooms []Room) []string {
	var out []string
	for _, r := range rooms {
		out = append(out, r.ID)
	}
	return out
}

func TestRoomLifecycle(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	created := time.UnixMilli(1_700_000_000_000)
	rejoined := created.Add(time.Hour)
	steps := []struct {
		name string
		do   func() error
		want Room // compared with Room("r1") after the step
	}{
		{
			name: "create",
			do: func() error {
				return s.UpsertRoom(ctx, Room{ID: "r1", Name: "Lunch", Key: testKey(1), CreatedAt: created, JoinedAt: created})
			},
			want: Room{ID: "r1", Name: "Lunch", Key: testKey(1), CreatedAt: created, JoinedAt: created},
		},
		{
			name: "mark read",
			do:   func() error { return s.MarkRoomRead(ctx, "r1", 42) },
			want: Room{ID: "r1", Name: "Lunch", Key: testKey(1), CreatedAt: created, JoinedAt: created, LastReadHLC: 42},
		},
		{
			name: "leave",
			do:   func() error { return s.LeaveRoom(ctx, "r1") },
			want: Room{ID: "r1", Name: "Lunch", Key: testKey(1), CreatedAt: created, JoinedAt: created, Left: true, LastReadHLC: 42},
		},
		{
			name: "leave again",
			do:   func() error { return s.LeaveRoom(ctx, "r1") },
			want: Room{ID: "r1", Name: "Lunch", Key: testKey(1), CreatedAt: created, JoinedAt: created, Left: true, LastReadHLC: 42},
		},
		{
			// A rejoin carries the current key; what was read stays read.
			name: "rejoin without a name",
			do: func() error {
				return s.UpsertRoom(ctx, Room{ID: "r1", Key: testKey(2), CreatedAt: rejoined, JoinedAt: rejoined, General: true})
			},
			want: Room{ID: "r1", Name: "Lunch", Key: testKey(2), CreatedAt: created, JoinedAt: rejoined, LastReadHLC: 42},
		},
		{
			name: "rename through upsert",
			do: func() error {
				return s.UpsertRoom(ctx, Room{ID: "r1", Name: "Lunch club", Key: testKey(2), JoinedAt: rejoined})
			},
			want: Room{ID: "r1", Name: "Lunch club", Key: testKey(2), CreatedAt: created, JoinedAt: rejoined, LastReadHLC: 42},
		},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got, ok, err := s.Room(ctx, "r1")
		if err != nil || !ok {
			t.Fatalf("%s: Room = %v, %v", st.name, ok, err)
		}
		if got != st.want {
			t.Errorf("%s: Room =\n  %+v\nwant\n  %+v", st.name, got, st.want)
		}
	}
}

func TestRoomDefaultsAndUnknown(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	before := now()
	if err := s.UpsertRoom(ctx, Room{ID: "r1", Key: testKey(1)}); err != nil {
		t.Fatal(err)
	}
	r, ok, err := s.Room(ctx, "r1")
	if err != nil || !ok {
		t.Fatalf("Room = %v, %v", ok, err)
	}
	if r.JoinedAt.Before(before) || !r.CreatedAt.Equal(r.JoinedAt) {
		t.Errorf("zero times not set to now: created %v joined %v", r.CreatedAt, r.JoinedAt)
	}
	if _, ok, err := s.Room(ctx, "nope"); err != nil || ok {
		t.Errorf("Room(unknown) = %v, %v; want false, nil", ok, err)
	}
	tests := []struct {
		name string
		err  error
		want error // nil: any error
	}{
		{name: "upsert without id", err: s.UpsertRoom(ctx, Room{Key: testKey(1)})},
		{name: "upsert read marker out of range", err: s.UpsertRoom(ctx, Room{ID: "r2", LastReadHLC: math.MaxUint64})},
		{name: "leave unknown", err: s.LeaveRoom(ctx, "nope"), want: ErrNoRoom},
		{name: "mark unknown read", err: s.MarkRoomRead(ctx, "nope", 1), want: ErrNoRoom},
		{name: "mark read out of range", err: s.MarkRoomRead(ctx, "r1", math.MaxUint64)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("succeeded, want an error")
			}
			if tc.want != nil && !errors.Is(tc.err, tc.want) {
				t.Errorf("err = %v, want %v", tc.err, tc.want)
			}
		})
	}
}

func TestRoomsOrder(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	for _, r := range []Room{
		{ID: "c", Name: "beta"},
		{ID: "z", Name: "alpha"},
		{ID: "g", Name: "Whole office", General: true},
		{ID: "a", Name: "Beta"},
		{ID: "b", Name: "alpha"},
		{ID: "l", Name: "Left behind"},
	} {
		r.Key = testKey(1)
		if err := s.UpsertRoom(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.LeaveRoom(ctx, "l"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		includeLeft bool
		want        []string
	}{
		{name: "joined only", includeLeft: false, want: []string{"g", "b", "z", "a", "c"}},
		{name: "with left", includeLeft: true, want: []string{"g", "b", "z", "a", "c", "l"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rooms, err := s.Rooms(ctx, tc.includeLeft)
			if err != nil {
				t.Fatal(err)
			}
			if got := roomIDs(rooms); !slices.Equal(got, tc.want) {
				t.Errorf("Rooms = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestUnreadCount(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	if err := s.UpsertRoom(ctx, Room{ID: "r1", Key: testKey(1)}); err != nil {
		t.Fatal(err)
	}
	join := entry("r1", bob, 1, 5)
	join.Message.Kind, join.Member = KindJoin, &MemberChange{Peer: bob, Joined: true}
	invite := entry("r1", cat, 1, 40)
	invite.Message.Kind, invite.Message.Meta = KindInvite, `{"room":"r2"}`
	batch := []RoomEntry{join, entry("r1", bob, 2, 10), entry("r1", bob, 3, 20), entry("r1", me, 1, 25),
		entry("r1", bob, 4, 30), invite, entry("r2", bob, 1, 50)}
	if _, err := s.InsertRoomEntries(ctx, batch); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name     string
		markRead uint64 // 0: leave the marker alone
		room     string
		want     int
	}{
		{name: "nothing read: others' text only", room: "r1", want: 3},
		{name: "read up to 15", markRead: 15, room: "r1", want: 2},
		{name: "an older marker does not unread", markRead: 5, room: "r1", want: 2},
		{name: "read up to the newest text", markRead: 30, room: "r1", want: 0},
		{name: "unknown room", room: "r2", want: 0},
	}
	for _, st := range steps {
		if st.markRead != 0 {
			if err := s.MarkRoomRead(ctx, st.room, st.markRead); err != nil {
				t.Fatalf("%s: MarkRoomRead: %v", st.name, err)
			}
		}
		if n, err := s.UnreadCount(ctx, st.room, me); err != nil || n != st.want {
			t.Errorf("%s: UnreadCount = %d, %v; want %d", st.name, n, err, st.want)
		}
	}
	if r, _, _ := s.Room(ctx, "r1"); r.LastReadHLC != 30 {
		t.Errorf("LastReadHLC = %d, want 30", r.LastReadHLC)
	}
}
