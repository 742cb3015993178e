package storage

import (
	"fmt"
	"slices"
	"testing"
)

// change builds an entry in r1 announcing that peer joined or left.
func change(author string, seq, hlc uint64, peer, name string, joined bool) RoomEntry {
	e := entry("r1", author, seq, hlc)
	e.Message.Kind = KindLeave
	if joined {
		e.Message.Kind = KindJoin
	}
	e.Member = &MemberChange{Peer: peer, Name: name, Joined: joined}
	return e
}

func TestRoomMembership(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	steps := []struct {
		name  string
		entry RoomEntry
		want  []Member
	}{
		{name: "join", entry: change(bob, 1, 10, bob, "Bob", true), want: []Member{{bob, "Bob", 10}}},
		{name: "leave", entry: change(bob, 2, 20, bob, "", false), want: nil},
		{name: "older join arriving late", entry: change(cat, 1, 15, bob, "Bob", true), want: nil},
		{name: "rejoin", entry: change(bob, 3, 30, bob, "", true), want: []Member{{bob, "Bob", 30}}},
		{name: "another member sorts by name", entry: change(cat, 2, 16, cat, "Anna", true),
			want: []Member{{cat, "Anna", 16}, {bob, "Bob", 30}}},
		{name: "new name", entry: change(bob, 4, 31, bob, "bobby", true),
			want: []Member{{cat, "Anna", 16}, {bob, "bobby", 31}}},
		{name: "leave announced by another", entry: change(me, 1, 40, cat, "", false),
			want: []Member{{bob, "bobby", 31}}},
		// Same clock: the envelope later in display order, (hlc, author,
		// seq), decides; bob sorts before me.
		{name: "tie lost", entry: change(bob, 5, 40, cat, "Anna", true),
			want: []Member{{bob, "bobby", 31}}},
		{name: "tie won", entry: change(me, 2, 40, cat, "Anna", true),
			want: []Member{{cat, "Anna", 40}, {bob, "bobby", 31}}},
	}
	for _, st := range steps {
		if _, err := s.InsertRoomEntries(ctx, []RoomEntry{st.entry}); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got, err := s.RoomMembers(ctx, "r1")
		if err != nil {
			t.Fatalf("%s: RoomMembers: %v", st.name, err)
		}
		if !slices.Equal(got, st.want) {
			t.Errorf("%s: RoomMembers = %v, want %v", st.name, got, st.want)
		}
		// The summary's count is of the same members.
		if n, err := s.RoomMemberCount(ctx, "r1"); err != nil || n != len(st.want) {
			t.Errorf("%s: RoomMemberCount = %d, %v; want %d", st.name, n, err, len(st.want))
		}
	}
	if n, err := s.RoomMemberCount(ctx, "another"); err != nil || n != 0 {
		t.Errorf("RoomMemberCount of a room never heard of = %d, %v; want 0", n, err)
	}
}

// Every peer must end with the same members whatever order the envelopes
// reach it in, so each set of changes is applied in every order.
func TestRoomMembershipAnyArrivalOrder(t *testing.T) {
	tests := []struct {
		name    string
		changes []RoomEntry
		want    []Member
	}{
		{name: "leave after join and a stale join",
			changes: []RoomEntry{change(bob, 1, 10, bob, "Bob", true), change(bob, 2, 20, bob, "", false),
				change(cat, 1, 15, bob, "Bob", true)},
			want: nil},
		{name: "join tied with the leave, later by author",
			changes: []RoomEntry{change(bob, 1, 10, bob, "Bob", true), change(bob, 2, 20, bob, "", false),
				change(cat, 1, 15, bob, "Bob", true), change(cat, 2, 20, bob, "Robert", true)},
			want: []Member{{bob, "Robert", 20}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			ctx := t.Context()
			for i, order := range permutations(len(tc.changes)) {
				room := fmt.Sprintf("p%d", i)
				for _, k := range order {
					e := tc.changes[k]
					e.Room, e.Message.Conv, e.Message.ID = room, "", fmt.Sprintf("%s-%d", room, e.Seq)
					if _, err := s.InsertRoomEntries(ctx, []RoomEntry{e}); err != nil {
						t.Fatal(err)
					}
				}
				got, err := s.RoomMembers(ctx, room)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("arrival order %v: RoomMembers = %v, want %v", order, got, tc.want)
				}
			}
		})
	}
}

// permutations returns every ordering of 0..n-1.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			out = append(out, slices.Insert(slices.Clone(p), i, n-1))
		}
	}
	return out
}
