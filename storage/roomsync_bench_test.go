package storage

import (
	"testing"
)

// What serving a sync costs in an office of 200 arriving: #general holds
// each colleague's few entries (a join, a profile), and a colleague asks
// who holds all of them but one.
func BenchmarkSyncOfAnOfficeArriving(b *testing.B) {
	const perAuthor = 3
	s := newTestStore(b)
	ctx := b.Context()
	authors := benchAuthors(200)
	fillRoomLog(b, s, "general", authors, perAuthor, 600, 512)
	cases := []struct {
		name   string
		behind int // authors the asker misses the last entry of
	}{
		{"missing one entry", 1},
		{"missing nothing", 0},
		{"missing one entry of 20 authors", 20},
	}
	for _, tc := range cases {
		have := map[string]uint64{}
		for i, a := range authors {
			have[a] = perAuthor
			if i < tc.behind {
				have[a] = perAuthor - 1
			}
		}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				got, err := s.RoomEnvelopesMissing(ctx, "general", RoomVector{Heads: have}, 10_000, 2000)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != tc.behind {
					b.Fatalf("got %d envelopes, want %d", len(got), tc.behind)
				}
			}
		})
	}
}
