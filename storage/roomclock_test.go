package storage

import (
	"cmp"
	"slices"
	"testing"
	"time"
)

// An author's stored clocks follow its seqs: an envelope dated before the
// author's previous one, or after its next, is stored at that neighbour's
// clock, whatever order the envelopes arrive in.
func TestAuthorClockFollowsSeq(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	steps := []struct {
		name  string
		entry RoomEntry
		want  uint64
	}{
		{"first", entry("r1", bob, 1, 100), 100},
		{"after a hole", entry("r1", bob, 3, 300), 300},
		{"into the hole, dated after its successor", entry("r1", bob, 2, 500), 300},
		{"dated back into old history", entry("r1", bob, 5, 50), 300},
		{"between equal neighbours", entry("r1", bob, 4, 10), 300},
		{"honest, later", entry("r1", bob, 6, 600), 600},
		{"another author is on its own", entry("r1", cat, 1, 20), 20},
		{"another room is on its own", entry("r2", bob, 2, 30), 30},
	}
	for _, st := range steps {
		added, err := s.InsertRoomEntries(ctx, []RoomEntry{st.entry})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if len(added) != 1 || added[0].HLC != st.want || added[0].Message.HLC != st.want {
			t.Fatalf("%s: returned %+v, want clock %d", st.name, added, st.want)
		}
		if string(added[0].Raw) != envName(st.entry.Room, st.entry.Author, st.entry.Seq) {
			t.Fatalf("%s: the envelope changed: %q", st.name, added[0].Raw)
		}
	}
	rows, err := s.RoomHistory(ctx, "r1", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var bobSeqs []uint64
	for _, m := range rows {
		if m.Author == bob {
			bobSeqs = append(bobSeqs, m.AuthorSeq)
		}
	}
	if !slices.Equal(bobSeqs, []uint64{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("bob's messages shown in seq order %v", bobSeqs)
	}
	// The envelopes are served in the order stored too.
	envs, err := s.RoomEnvelopesAfter(ctx, "r1", map[string]uint64{cat: 1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{envName("r1", bob, 1), envName("r1", bob, 2), envName("r1", bob, 3), envName("r1", bob, 4),
		envName("r1", bob, 5), envName("r1", bob, 6)}
	if !slices.Equal(rawNames(envs), want) {
		t.Fatalf("served %v, want %v", rawNames(envs), want)
	}
}

func TestRoomVectorOf(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	var batch []RoomEntry
	for _, q := range []uint64{1, 2, 4, 5, 9, 30} {
		batch = append(batch, entry("r1", bob, q, q))
	}
	for _, q := range []uint64{2, 4, 6} { // seq 1 never written
		batch = append(batch, entry("r1", cat, q, q))
	}
	batch = append(batch, entry("r1", dan, 1, 1), entry("r1", dan, 2, 2), entry("r2", bob, 7, 7))
	for _, q := range []uint64{500, 505, 509, 510} { // an island, far above the head
		batch = append(batch, entry("r1", me, q, q))
	}
	if _, err := s.InsertRoomEntries(ctx, batch); err != nil {
		t.Fatal(err)
	}
	v, err := s.RoomVectorOf(ctx, "r1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Heads) != 2 || v.Heads[bob] != 2 || v.Heads[dan] != 2 {
		t.Errorf("heads %v, want bob 2, dan 2", v.Heads)
	}
	// Held above the head, within the window from the lowest: bob's 30 and
	// my 510 are beyond it.
	if len(v.Held) != 3 || !slices.Equal(v.Held[bob], []uint64{4, 5, 9}) || !slices.Equal(v.Held[cat], []uint64{2, 4, 6}) ||
		!slices.Equal(v.Held[me], []uint64{500, 505, 509}) {
		t.Errorf("held %v, want bob [4 5 9], cat [2 4 6], me [500 505 509]", v.Held)
	}
	for _, tc := range []struct {
		author string
		head   uint64
		lo, hi uint64
		ok     bool
	}{
		{bob, 2, 4, 30, true}, {cat, 0, 2, 6, true}, {me, 0, 500, 510, true}, {dan, 2, 0, 0, false}, {"x", 0, 0, 0, false},
	} {
		lo, hi, ok, err := s.HeldSpan(ctx, "r1", tc.author, tc.head)
		if err != nil || lo != tc.lo || hi != tc.hi || ok != tc.ok {
			t.Errorf("HeldSpan(%s above %d) = %d, %d, %v, %v; want %d, %d, %v", tc.author, tc.head, lo, hi, ok, err, tc.lo, tc.hi, tc.ok)
		}
	}
}

// wantMissingOf is the definition RoomEnvelopesMissing implements, by brute
// force.
func wantMissingOf(all []RoomEntry, v RoomVector, window uint64, limit int) []string {
	var missing []RoomEntry
	for _, e := range all {
		have := v.Heads[e.Author]
		var held []uint64
		for _, q := range v.Held[e.Author] {
			if q > have {
				held = append(held, q)
			}
		}
		if e.Seq <= have || slices.Contains(held, e.Seq) {
			continue
		}
		if window > 0 && len(held) > 0 {
			lo, hi := slices.Min(held), slices.Max(held)
			near := e.Seq-have <= window
			island := max(hi, e.Seq)-min(lo, e.Seq) < window
			if !near && !island {
				continue
			}
		}
		missing = append(missing, e)
	}
	slices.SortFunc(missing, func(a, b RoomEntry) int {
		return cmp.Or(cmp.Compare(a.HLC, b.HLC), cmp.Compare(a.Author, b.Author), cmp.Compare(a.Seq, b.Seq))
	})
	if limit > 0 && len(missing) > limit {
		missing = missing[:limit]
	}
	return entryNames(missing)
}

func TestRoomEnvelopesMissing(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	all := syncFixture(t, s)
	// An author that numbers 2, 4, 6, … and one far jump.
	var odd []RoomEntry
	for q := uint64(2); q <= 12; q += 2 {
		odd = append(odd, entry("r1", me, q, 10*q+1))
	}
	odd = append(odd, entry("r1", me, 1_000_000, 200))
	added, err := s.InsertRoomEntries(ctx, odd)
	if err != nil {
		t.Fatal(err)
	}
	all = append(all, added...)
	tests := []struct {
		name   string
		v      RoomVector
		window uint64
		limit  int
	}{
		{name: "holding all of the holed author", v: RoomVector{
			Heads: map[string]uint64{bob: 6, cat: 6, dan: 2},
			Held:  map[string][]uint64{me: {2, 4, 6, 8, 10, 12, 1_000_000}, dan: {4, 5}}}},
		{name: "holding some above a hole", v: RoomVector{
			Heads: map[string]uint64{bob: 6, cat: 6, dan: 2},
			Held:  map[string][]uint64{me: {2, 6, 10}, dan: {5}}}},
		{name: "within a window", v: RoomVector{Heads: map[string]uint64{bob: 2, cat: 6, dan: 5},
			Held: map[string][]uint64{me: {4}}}, window: 5},
		{name: "a window, nothing held: anything", v: RoomVector{}, window: 3},
		{name: "an island far above the head", v: RoomVector{Heads: map[string]uint64{bob: 6, cat: 6, dan: 5},
			Held: map[string][]uint64{me: {1_000_000}}}, window: 100},
		{name: "an island and what continues the head", v: RoomVector{Heads: map[string]uint64{bob: 6, cat: 6, dan: 5},
			Held: map[string][]uint64{me: {10, 12}}}, window: 4},
		{name: "held below the head is ignored", v: RoomVector{
			Heads: map[string]uint64{bob: 3, cat: 6, dan: 5},
			Held:  map[string][]uint64{bob: {1, 2, 5, 5, 4}, me: {1_000_000}}}, window: 100},
		{name: "limited", v: RoomVector{Heads: map[string]uint64{bob: 1},
			Held: map[string][]uint64{bob: {3, 5}, me: {2, 8}}}, window: 10, limit: 4},
		{name: "strangers and huge claims", v: RoomVector{Heads: map[string]uint64{"x": 1, bob: 1 << 63},
			Held: map[string][]uint64{"x": {5}, me: {1 << 63}}}, window: 1 << 63},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := wantMissingOf(all, tc.v, tc.window, tc.limit)
			got, err := s.RoomEnvelopesMissing(ctx, "r1", tc.v, tc.window, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rawNames(got), want) {
				t.Errorf("RoomEnvelopesMissing =\n  %v\nwant\n  %v", rawNames(got), want)
			}
			wants := wantsOf(map[string]uint64{bob: 6, cat: 6, dan: 5, me: 1_000_000}, tc.v, tc.window)
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
}

// A direct message dated a year ahead is ordered at the time it arrived,
// not after every later message.
func TestHistoryOrdersAFutureDateAtItsArrival(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	start := time.Now()
	future, _, err := s.InsertIncoming(ctx, Message{ID: "future", Conv: "dm:" + bob, Author: bob, Text: "from next year",
		SentAt: start.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	// Written after it arrived, by a clock within the allowed skew.
	later, _, err := s.InsertIncoming(ctx, Message{ID: "later", Conv: "dm:" + bob, Author: bob, Text: "now",
		SentAt: future.ReceivedAt.Add(time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.History(ctx, "dm:"+bob, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), []string{future.ID, later.ID}) {
		t.Fatalf("history %v: the message from next year is pinned last", ids(got))
	}
	if !got[0].SentAt.Equal(future.SentAt) {
		t.Fatalf("the claimed time was not kept: %v", got[0].SentAt)
	}
}

// In one batch, consecutive entries take the in-batch shortcut and others
// look their neighbours up; both keep the author's order.
func TestAuthorClockFollowsSeqInABatch(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	batch := []RoomEntry{entry("r1", bob, 1, 100), entry("r1", bob, 2, 50), entry("r1", bob, 3, 200),
		entry("r1", bob, 9, 900), entry("r1", bob, 5, 950), entry("r1", bob, 6, 400), entry("r1", bob, 7, 990),
		entry("r1", cat, 1, 10), entry("r1", bob, 10, 800)}
	added, err := s.InsertRoomEntries(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]uint64{1: 100, 2: 100, 3: 200, 9: 900, 5: 900, 6: 900, 7: 900, 10: 900}
	for _, e := range added {
		if e.Author == bob && e.HLC != want[e.Seq] {
			t.Errorf("bob %d stored at %d, want %d", e.Seq, e.HLC, want[e.Seq])
		}
	}
}
