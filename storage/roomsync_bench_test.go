package storage

import (
	"encoding/json"
	"testing"
)

// What serving a sync costs in an office of 200 arriving: #general holds
// each colleague's few entries (a join, a profile), and a colleague asks
// who holds all of them but one. The baseline, in the same run, serves
// it as before: every author of the room looked up, the plan parsed
// anew for each request.
func BenchmarkSyncOfAnOfficeArriving(b *testing.B) {
	const perAuthor, window, limit = 3, 10_000, 2000
	s := newTestStore(b)
	ctx := b.Context()
	authors := benchAuthors(200)
	fillRoomLog(b, s, "general", authors, perAuthor, 600, 512)
	cases := []struct {
		name   string
		behind int // authors the asker misses the last entry of
	}{
		{"missing one entry", 1},
		{"missing one entry of 20 authors", 20},
		{"missing nothing", 0},
	}
	for _, tc := range cases {
		have := map[string]uint64{}
		for i, a := range authors {
			have[a] = perAuthor
			if i < tc.behind {
				have[a] = perAuthor - 1
			}
		}
		v := RoomVector{Heads: have}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				got, err := s.RoomEnvelopesMissing(ctx, "general", v, window, limit)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != tc.behind {
					b.Fatalf("got %d envelopes, want %d", len(got), tc.behind)
				}
			}
		})
		b.Run(tc.name+" (baseline)", func(b *testing.B) {
			for b.Loop() {
				if n := servedAsBefore(b, s, "general", v, window, limit); n != tc.behind {
					b.Fatalf("got %d envelopes, want %d", n, tc.behind)
				}
			}
		})
	}
}

// servedAsBefore serves v as RoomEnvelopesMissing did before it left out
// the authors with nothing stored above what the asker has and before its
// plans were prepared, and returns how many envelopes it found.
func servedAsBefore(b *testing.B, s *Store, room string, v RoomVector, window uint64, limit int) int {
	heads, err := s.roomMaxSeqs(b.Context(), room)
	if err != nil {
		b.Fatal(err)
	}
	wants := wantsOf(heads, v, window)
	query := envelopesQuery(wants, limit)
	if query == "" {
		return 0
	}
	ranges, held := [][4]any{}, [][2]int64{}
	for i, w := range wants {
		for _, r := range w.ranges {
			ranges = append(ranges, [4]any{w.author, i, r[0], r[1]})
		}
		for _, q := range w.held {
			held = append(held, [2]int64{int64(i), q})
		}
	}
	rangeArg, _ := json.Marshal(ranges)
	args := []any{room, string(rangeArg), sqlLimit(limit)}
	if len(held) > 0 {
		heldArg, _ := json.Marshal(held)
		query, args = withHeld[query], append(args, string(heldArg))
	}
	rows, err := s.reader.QueryContext(b.Context(), query, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}
