package storage

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// queryPlan returns the details of SQLite's plan for query.
func queryPlan(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.reader.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

func displayOrder(a, b Message) int {
	return cmp.Or(cmp.Compare(a.HLC, b.HLC), cmp.Compare(a.Author, b.Author), cmp.Compare(a.AuthorSeq, b.AuthorSeq))
}

// shuffledRoom stores n messages of room "r1" by three authors, with clocks
// that often tie across authors, delivered in a random order in batches of
// random size, as sync would. It returns them in display order.
func shuffledRoom(t *testing.T, s *Store, n int) []Message {
	t.Helper()
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	authors := []string{cat, bob, me}
	var entries []RoomEntry
	for i := range n {
		a := i % len(authors)
		e := entry("r1", authors[a], uint64(i/len(authors)+1), uint64(1000+rng.IntN(n/2)))
		if i%7 == 0 {
			e.Message.Kind, e.Member = KindJoin, &MemberChange{Peer: e.Author, Joined: true}
		}
		entries = append(entries, e)
	}
	rng.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	var stored []Message
	for rest := entries; len(rest) > 0; {
		k := min(len(rest), 1+rng.IntN(9))
		added, err := s.InsertRoomEntries(ctx, rest[:k])
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range added {
			stored = append(stored, e.Message)
		}
		rest = rest[k:]
	}
	if _, _, err := s.InsertIncoming(ctx, Message{ID: "dm", Conv: "dm:" + bob, Author: bob, Text: "noise"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertRoomEntries(ctx, []RoomEntry{entry("r2", bob, 1, 1500)}); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(stored, displayOrder)
	return stored
}

func TestRoomHistoryPaging(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	all := shuffledRoom(t, s, 90)
	got, err := s.RoomHistory(ctx, "r1", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, all) {
		t.Fatalf("RoomHistory(all) =\n  %v\nwant\n  %v", ids(got), ids(all))
	}
	tests := []struct {
		name      string
		limit     int
		wantPages int
	}{
		{name: "pages of 7", limit: 7, wantPages: 13},
		{name: "pages of 30", limit: 30, wantPages: 3},
		{name: "one page", limit: 90, wantPages: 1},
		{name: "larger than the room", limit: 500, wantPages: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stitched []Message
			var before *Cursor
			pages := 0
			for {
				page, err := s.RoomHistory(ctx, "r1", before, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				if pages++; pages > len(all) {
					t.Fatal("paging does not terminate")
				}
				if !slices.IsSortedFunc(page, displayOrder) {
					t.Errorf("page %d out of display order: %v", pages, ids(page))
				}
				stitched = append(page, stitched...)
				before = CursorOf(page[0])
			}
			if pages != tc.wantPages {
				t.Errorf("%d pages, want %d", pages, tc.wantPages)
			}
			if !slices.Equal(stitched, all) {
				t.Errorf("stitched pages differ from the full list")
			}
		})
	}
}

func TestRoomHistoryEdges(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	msgs := shuffledRoom(t, s, 12)
	mid := msgs[5]
	between := &Cursor{HLC: mid.HLC, Author: mid.Author + "!", Seq: 0} // just after mid, matching nothing
	tests := []struct {
		name    string
		room    string
		before  *Cursor
		limit   int
		want    []string
		wantErr bool
	}{
		{name: "newest two", room: "r1", limit: 2, want: ids(msgs[10:])},
		{name: "before the sixth", room: "r1", before: CursorOf(mid), limit: 3, want: ids(msgs[2:5])},
		{name: "cursor between messages", room: "r1", before: between, limit: 3, want: ids(msgs[3:6])},
		{name: "before the first", room: "r1", before: CursorOf(msgs[0]), limit: 10, want: nil},
		{name: "after the last", room: "r1", before: &Cursor{HLC: math.MaxInt64}, limit: 0, want: ids(msgs)},
		{name: "unknown room", room: "nope", limit: 10, want: nil},
		{name: "cursor out of range", room: "r1", before: &Cursor{HLC: math.MaxUint64}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.RoomHistory(ctx, tc.room, tc.before, tc.limit)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tc.wantErr)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("RoomHistory = %v, want %v", ids(got), tc.want)
			}
		})
	}
}

// Without messages_conv_hlc, or with a cursor SQLite cannot seek to, every
// room page would read the whole room; the plans show it, as they do for
// each query that reads a room in display order, the highest clock read
// at start, and the export, which reads every conversation in order.
func TestConvOrderReadersUseIndex(t *testing.T) {
	s := newTestStore(t)
	page := []any{"room:r1", 5, bob, 1, 10}
	tests := []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		{name: "newest page", query: roomNewestSQL, args: page, want: "USING INDEX messages_conv_hlc (conv=?)"},
		{name: "page before a cursor", query: roomBeforeSQL, args: page,
			want: "USING INDEX messages_conv_hlc (conv=? AND (hlc,author,author_seq)<(?,?,?))"},
		{name: "unread count", query: unreadCountSQL, args: []any{"r1", "room:r1", KindText, me},
			want: "USING INDEX messages_conv_hlc (conv=? AND hlc>?)"},
		{name: "unread mentions", query: unreadMentionsSQL, args: []any{me, "<@" + me + ">"},
			want: "USING INDEX messages_conv_hlc (conv=? AND hlc>?)"},
		{name: "read seqs", query: roomReadSeqsSQL, args: []any{"room:r1", 5},
			want: "INDEX messages_conv_hlc (conv=? AND hlc<?)"},
		{name: "first join", query: firstRoomJoinSQL, args: []any{"room:r1", KindJoin},
			want: "USING INDEX messages_conv_hlc (conv=?)"},
		{name: "the highest clock, at start", query: maxHLCSQL, want: "COVERING INDEX messages_conv_hlc"},
		{name: "export, everything", query: exportSQL(""), want: "USE TEMP B-TREE FOR LAST 2 TERMS OF ORDER BY"},
		{name: "export of a room", query: exportSQL(" AND m.conv = ?"), args: []any{"room:r1"},
			want: "SEARCH m USING INDEX messages_conv_hlc (conv=?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := queryPlan(t, s, tc.query, tc.args...)
			if !slices.ContainsFunc(plan, func(d string) bool { return strings.Contains(d, tc.want) }) {
				t.Errorf("plan does not contain %q: %q", tc.want, plan)
			}
		})
	}
}

func TestMaxHLC(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	steps := []struct {
		name string
		add  func() error
		want uint64
	}{
		{name: "empty", add: func() error { return nil }, want: 0},
		{name: "direct messages only", add: func() error {
			_, _, err := s.InsertIncoming(ctx, Message{ID: "d1", Conv: "dm:" + bob, Author: bob, Text: "hi"})
			return err
		}, want: 0},
		{name: "two rooms", add: func() error {
			_, err := s.InsertRoomEntries(ctx, []RoomEntry{entry("r1", bob, 1, 70), entry("r2", cat, 1, 90), entry("r1", cat, 1, 80)})
			return err
		}, want: 90},
		{name: "a late, older message", add: func() error {
			_, err := s.InsertRoomEntries(ctx, []RoomEntry{entry("r2", bob, 1, 5)})
			return err
		}, want: 90},
	}
	for _, st := range steps {
		if err := st.add(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got, err := s.MaxHLC(ctx); err != nil || got != st.want {
			t.Errorf("%s: MaxHLC = %d, %v; want %d", st.name, got, err, st.want)
		}
	}
}
