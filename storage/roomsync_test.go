package storage

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"testing"
)

const dan = "12D3KooWDan"

// syncFixture is a room whose log holds what a misbehaving world produces:
// equal clocks across authors, an author whose clock runs backwards (stored
// at its first clock, as an author's stored clocks follow its seqs), and an
// author with a gap this node has not filled yet. It returns r1's entries as
// stored.
func syncFixture(t *testing.T, s *Store) []RoomEntry {
	t.Helper()
	var all []RoomEntry
	for seq := uint64(1); seq <= 6; seq++ {
		all = append(all, entry("r1", bob, seq, 10*seq), entry("r1", cat, seq, 100-10*seq))
		if seq != 3 && seq != 6 {
			all = append(all, entry("r1", dan, seq, 10*seq+5))
		}
	}
	noise := []RoomEntry{entry("r2", bob, 1, 1), entry("r2", bob, 2, 2)}
	added, err := s.InsertRoomEntries(t.Context(), append(slices.Clone(all), noise...))
	if err != nil {
		t.Fatal(err)
	}
	return added[:len(all)]
}

// wantMissing is the definition RoomEnvelopesAfter implements, by brute force.
func wantMissing(all []RoomEntry, have map[string]uint64, limit int) []string {
	var missing []RoomEntry
	for _, e := range all {
		if e.Seq > have[e.Author] {
			missing = append(missing, e)
		}
	}
	slices.SortFunc(missing, func(a, b RoomEntry) int {
		return cmp.Or(cmp.Compare(a.HLC, b.HLC), cmp.Compare(a.Author, b.Author), cmp.Compare(a.Seq, b.Seq))
	})
	if limit > 0 && len(missing) > limit {
		missing = missing[:limit]
	}
	return entryNames(missing)
}

func rawNames(envs [][]byte) []string {
	var out []string
	for _, e := range envs {
		out = append(out, string(e))
	}
	return out
}

func TestRoomEnvelopesAfter(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	all := syncFixture(t, s)
	tests := []struct {
		name  string
		have  map[string]uint64
		limit int
	}{
		{name: "new peer, everything", have: nil},
		{name: "new peer, first page", have: map[string]uint64{}, limit: 5},
		{name: "one author complete", have: map[string]uint64{bob: 6}},
		{name: "each partly", have: map[string]uint64{bob: 2, cat: 4, dan: 1}},
		{name: "each partly, limited", have: map[string]uint64{bob: 2, cat: 4, dan: 1}, limit: 3},
		{name: "peer holds the seq this node lacks", have: map[string]uint64{bob: 6, cat: 6, dan: 3}},
		{name: "nearly up to date", have: map[string]uint64{bob: 6, cat: 5, dan: 5}, limit: 1},
		{name: "up to date", have: map[string]uint64{bob: 6, cat: 6, dan: 5}},
		{name: "ahead, with strangers", have: map[string]uint64{bob: math.MaxUint64, cat: 7, dan: 99, me: 3, "x": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := wantMissing(all, tc.have, tc.limit)
			got, err := s.RoomEnvelopesAfter(ctx, "r1", tc.have, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rawNames(got), want) {
				t.Errorf("RoomEnvelopesAfter =\n  %v\nwant\n  %v", rawNames(got), want)
			}
			// Whichever plan the estimate picks, both must give this answer.
			wants := wantsOf(map[string]uint64{bob: 6, cat: 6, dan: 5}, RoomVector{Heads: tc.have}, 0)
			for _, plan := range []struct{ name, query string }{
				{"in order", envelopesInOrderSQL}, {"by author", envelopesByAuthorSQL},
			} {
				got, err := s.readEnvelopes(ctx, plan.query, "r1", wants, tc.limit)
				if err != nil {
					t.Fatalf("%s: %v", plan.name, err)
				}
				if !slices.Equal(rawNames(got), want) {
					t.Errorf("%s =\n  %v\nwant\n  %v", plan.name, rawNames(got), want)
				}
			}
		})
	}
	if got, err := s.RoomEnvelopesAfter(ctx, "nope", nil, 0); err != nil || got != nil {
		t.Errorf("RoomEnvelopesAfter(unknown room) = %v, %v; want nil", got, err)
	}
	if n, err := s.CountRoomEnvelopes(ctx, "r1"); err != nil || n != len(all) {
		t.Errorf("CountRoomEnvelopes = %d, %v; want %d", n, err, len(all))
	}
}

func TestEnvelopesQueryChoice(t *testing.T) {
	heads := map[string]uint64{bob: 1000, cat: 1000}
	vec := func(have map[string]uint64) RoomVector { return RoomVector{Heads: have} }
	tests := []struct {
		name   string
		heads  map[string]uint64
		vector RoomVector
		window uint64
		limit  int
		want   string
	}{
		{name: "new peer walks in order", heads: heads, vector: vec(nil), limit: 100, want: envelopesInOrderSQL},
		{name: "peer with a little walks in order", heads: heads, vector: vec(map[string]uint64{bob: 50, cat: 50}), limit: 100,
			want: envelopesInOrderSQL},
		{name: "peer half way walks in order", heads: heads, vector: vec(map[string]uint64{bob: 500, cat: 500}), limit: 100,
			want: envelopesInOrderSQL},
		{name: "peer three quarters of the way scans by author", heads: heads, vector: vec(map[string]uint64{bob: 750, cat: 750}),
			limit: 100, want: envelopesByAuthorSQL},
		{name: "nearly up to date scans by author", heads: heads, vector: vec(map[string]uint64{bob: 1000, cat: 990}), limit: 100,
			want: envelopesByAuthorSQL},
		{name: "no limit, a new peer walks in order", heads: heads, vector: vec(nil), limit: 0, want: envelopesInOrderSQL},
		{name: "no limit sorts only the missing", heads: heads, vector: vec(map[string]uint64{bob: 500, cat: 500}), limit: 0,
			want: envelopesByAuthorSQL},
		{name: "up to date needs no query", heads: heads, vector: vec(map[string]uint64{bob: 1000, cat: 1000}), limit: 100, want: ""},
		{name: "ahead needs no query", heads: heads, vector: vec(map[string]uint64{bob: 5000, cat: 1000}), limit: 100, want: ""},
		{name: "holding every seq above a hole needs no query", heads: map[string]uint64{bob: 6},
			vector: RoomVector{Heads: map[string]uint64{bob: 1}, Held: map[string][]uint64{bob: {3, 4, 5, 6}}}, limit: 100,
			want: envelopesByAuthorSQL}, // the hole itself may be stored here
		{name: "a window of nothing needs no query", heads: heads, vector: vec(map[string]uint64{bob: 1000, cat: 1000}),
			window: 10, limit: 100, want: ""},
		{name: "huge seqs do not overflow", heads: map[string]uint64{bob: math.MaxInt64, cat: math.MaxInt64, dan: math.MaxInt64},
			vector: vec(nil), limit: 100, want: envelopesInOrderSQL},
		{name: "empty room", heads: map[string]uint64{}, vector: vec(nil), limit: 100, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := envelopesQuery(wantsOf(tc.heads, tc.vector, tc.window), tc.limit); got != tc.want {
				t.Errorf("envelopesQuery picked %q, want %q", got, tc.want)
			}
		})
	}
}

// The two plans are only cheap through their indexes; the plans show it.
func TestEnvelopesQueriesUseIndexes(t *testing.T) {
	s := newTestStore(t)
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{name: "in order", query: envelopesInOrderSQL, want: "room_envelopes_order"},
		{name: "in order looks authors up", query: envelopesInOrderSQL, want: "SEARCH h USING AUTOMATIC COVERING INDEX (author=?)"},
		{name: "in order, held", query: envelopesInOrderHeldSQL, want: "SEARCH h USING AUTOMATIC COVERING INDEX (author=?)"},
		{name: "in order, held looked up once", query: envelopesInOrderHeldSQL, want: "LIST SUBQUERY"},
		{name: "by author, held", query: envelopesByAuthorHeldSQL, want: "INDEX sqlite_autoindex_room_envelopes_1 (room=? AND author=? AND seq>? AND seq<?)"},
		{name: "by author, held looked up once", query: envelopesByAuthorHeldSQL, want: "LIST SUBQUERY"},
		{name: "by author", query: envelopesByAuthorSQL, want: "INDEX sqlite_autoindex_room_envelopes_1 (room=? AND author=? AND seq>? AND seq<?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []any{"r1", `[["a",1,10]]`, 10}
			if strings.Contains(tc.query, "?4") {
				args = append(args, `[[0,3]]`)
			}
			plan := queryPlan(t, s, tc.query, args...)
			if !slices.ContainsFunc(plan, func(d string) bool { return strings.Contains(d, tc.want) }) {
				t.Errorf("plan does not use %q: %q", tc.want, plan)
			}
		})
	}
}

// A serving peer looks up only authors it may hold more of: one whose
// highest stored seq the asker has, or holds above, is not looked up,
// nor are the seqs the asker holds of it.
func TestAskedLeavesOutWhatIsNotStored(t *testing.T) {
	heads := map[string]uint64{bob: 6, cat: 6, dan: 5}
	v := RoomVector{
		Heads: map[string]uint64{bob: 6, cat: 4, dan: 2},
		Held:  map[string][]uint64{bob: {8, 9}, dan: {4}},
	}
	ranges, held := askedOf(wantsOf(heads, v, 100))
	var authors []string
	danAt := int64(-1)
	for _, r := range ranges {
		authors = append(authors, r[0].(string))
		if r[0] == dan {
			danAt = int64(r[1].(int))
		}
	}
	slices.Sort(authors)
	if want := []string{cat, dan}; !slices.Equal(authors, want) {
		t.Fatalf("looked up %v, want %v: %v", authors, want, ranges)
	}
	if !slices.Equal(held, [][2]int64{{danAt, 4}}) {
		t.Fatalf("held %v, want dan's 4 alone (dan at %d)", held, danAt)
	}
}
