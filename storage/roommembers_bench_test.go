package storage

import (
	"fmt"
	"testing"
)

// A room summary of #general in an office of 200, given at every change
// of its membership: the members listed in order and counted (as before),
// against counted alone.
func BenchmarkRoomMemberCount(b *testing.B) {
	s := newTestStore(b)
	ctx := b.Context()
	var entries []RoomEntry
	for i := range 200 {
		p := fmt.Sprintf("peer-%03d", i)
		entries = append(entries, change(p, 1, uint64(10+i), p, fmt.Sprintf("Colleague %d", 199-i), true))
	}
	if _, err := s.InsertRoomEntries(ctx, entries); err != nil {
		b.Fatal(err)
	}
	b.Run("listed", func(b *testing.B) {
		for b.Loop() {
			if ms, err := s.RoomMembers(ctx, "r1"); err != nil || len(ms) != 200 {
				b.Fatal(len(ms), err)
			}
		}
	})
	b.Run("counted", func(b *testing.B) {
		for b.Loop() {
			if n, err := s.RoomMemberCount(ctx, "r1"); err != nil || n != 200 {
				b.Fatal(n, err)
			}
		}
	})
}
