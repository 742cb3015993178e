package storage

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// The archive migration indexes what was stored before it.
func init() {
	fixtures[4] = versionFixture{
		seed: func(t *testing.T, db *sql.DB) {
			stmts := []string{
				`INSERT INTO messages (id, conv, author, text, sent_at, received_at, state)
				 VALUES ('old1', 'dm:p9', 'p9', 'the quarterly budget is approved', 5000, 5000, 'received')`,
				`INSERT INTO messages (id, conv, author, text, sent_at, received_at, state, kind, hlc, author_seq, meta)
				 VALUES ('old2', 'room:r9', 'p9', '{"id":"f1","name":"floorplan.pdf","size":3,"hash":"ab"}', 6000, 6000,
				         'received', 'file', 9, 1, '')`,
				`INSERT INTO messages (id, conv, author, text, sent_at, received_at, state)
				 VALUES ('old3', 'dm:p9', 'p9', '会議室を予約しました', 7000, 7000, 'received')`,
			}
			for _, q := range stmts {
				if _, err := db.ExecContext(t.Context(), q); err != nil {
					t.Fatalf("seed %q: %v", q, err)
				}
			}
			// From version 5 on, the store indexes what it stores; rows
			// written here by hand (by every fixture) are not.
			if userVersion(t, db) >= 5 {
				if _, err := db.ExecContext(t.Context(), `INSERT INTO message_fts (message_fts) VALUES ('rebuild')`); err != nil {
					t.Fatal(err)
				}
			}
		},
		check: func(t *testing.T, s *Store) {
			for term, want := range map[string]string{"budget": "old1", "floorplan": "old2", "会議室": "old3"} {
				if got := searchIDs(t, s, SearchQuery{Terms: []string{term}}); !slices.Equal(got, []string{want}) {
					t.Errorf("search %q after migrating = %v, want [%s]", term, got, want)
				}
			}
			if err := s.CheckSearchIndex(t.Context()); err != nil {
				t.Error(err)
			}
		},
	}
}

const carol = "12D3KooWCarol"

func searchIDs(t *testing.T, s *Store, q SearchQuery) []string {
	t.Helper()
	hits, err := s.Search(t.Context(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.Message.ID)
	}
	slices.Sort(ids)
	return ids
}

// searchFixture stores a small office's worth of messages.
func searchFixture(t *testing.T) *Store {
	t.Helper()
	s := newTestStore(t)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	dms := []Message{
		{ID: "d1", Conv: "dm:" + bob, Author: bob, Text: "Lunch at noon? The café on Main St.", SentAt: day(1)},
		{ID: "d2", Conv: "dm:" + bob, Author: bob, Text: "Ticket HW-4711 is fixed", SentAt: day(2)},
		{ID: "d3", Conv: "dm:" + carol, Author: carol, Text: "会議室を予約しました。資料は明日。", SentAt: day(3)},
		{ID: "d4", Conv: "dm:" + carol, Author: carol, Text: "ok", SentAt: day(4)},
		{ID: "d5", Conv: "dm:" + carol, Author: carol, Text: "sent budget.xlsx (12 KB)", SentAt: day(5), Kind: KindFile,
			Meta: `{"id":"f1","name":"budget.xlsx"}`},
		{ID: "d6", Conv: "dm:" + bob, Author: bob, Text: `50% of "quotes" and back\slashes_under`, SentAt: day(6)},
	}
	for _, m := range dms {
		if _, _, err := s.InsertIncoming(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	entries := []RoomEntry{
		{Room: "r1", Author: bob, Seq: 1, HLC: 10, Raw: []byte{1},
			Message: Message{ID: "r1", Text: "Budget review on Friday", SentAt: day(7)}},
		{Room: "r1", Author: carol, Seq: 1, HLC: 11, Raw: []byte{2},
			Message: Message{ID: "r2", Kind: KindFile, SentAt: day(8),
				Text: `{"id":"f2","name":"floorplan-v2.pdf","size":10,"files":1,"hash":"00ff"}`}},
		{Room: "r1", Author: carol, Seq: 2, HLC: 12, Raw: []byte{3},
			Message: Message{ID: "r3", Kind: KindJoin, SentAt: day(8)}},
	}
	if _, err := s.InsertRoomEntries(t.Context(), entries); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSearchFindsWordsAndSubstrings(t *testing.T) {
	s := searchFixture(t)
	for _, tc := range []struct {
		name  string
		terms []string
		want  []string
	}{
		{"a word", []string{"lunch"}, []string{"d1"}},
		{"any case", []string{"LUNCH"}, []string{"d1"}},
		{"inside a word", []string{"unc"}, []string{"d1"}},
		{"without accents", []string{"cafe"}, []string{"d1"}},
		{"a code", []string{"HW-4711"}, []string{"d2"}},
		{"part of a code", []string{"4711"}, []string{"d2"}},
		{"words in any order", []string{"friday", "budget"}, []string{"r1"}},
		{"every word must occur", []string{"budget", "monday"}, nil},
		{"a phrase", []string{"review on fri"}, []string{"r1"}},
		{"Japanese, three characters", []string{"会議室"}, []string{"d3"}},
		{"Japanese, two characters", []string{"資料"}, []string{"d3"}},
		{"a short word", []string{"ok"}, []string{"d4"}},
		{"short and long together", []string{"HW", "fixed"}, []string{"d2"}},
		{"a room file by name", []string{"floorplan"}, []string{"r2"}},
		{"not the JSON of a room file", []string{"hash"}, nil},
		{"a DM file", []string{"budget.xlsx"}, []string{"d5"}},
		{"wildcards are literal", []string{"50%"}, []string{"d6"}},
		{"underscore is literal", []string{"s_u"}, []string{"d6"}},
		{"quotes are literal", []string{`"quotes"`}, []string{"d6"}},
		{"backslash is literal", []string{`k\s`}, []string{"d6"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := searchIDs(t, s, SearchQuery{Terms: tc.terms}); !slices.Equal(got, tc.want) {
				t.Errorf("Search(%q) = %v, want %v", tc.terms, got, tc.want)
			}
		})
	}
}

func TestSearchFilters(t *testing.T) {
	s := searchFixture(t)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		q    SearchQuery
		want []string
	}{
		{"by author", SearchQuery{Terms: []string{"budget"}, Author: carol}, []string{"d5"}},
		{"by conversation", SearchQuery{Terms: []string{"budget"}, Conv: RoomConv("r1")}, []string{"r1"}},
		{"by DM", SearchQuery{Terms: []string{"budget"}, Conv: "dm:" + carol}, []string{"d5"}},
		{"since", SearchQuery{Terms: []string{"budget"}, Since: day(6)}, []string{"r1"}},
		{"until", SearchQuery{Terms: []string{"budget"}, Until: day(6)}, []string{"d5"}},
		{"between", SearchQuery{Terms: []string{"budget"}, Since: day(5), Until: day(8)}, []string{"d5", "r1"}},
		{"files only", SearchQuery{Terms: []string{"budget"}, FilesOnly: true}, []string{"d5"}},
		{"files only, short term", SearchQuery{Terms: []string{"pd"}, FilesOnly: true}, []string{"r2"}},
		{"short term by conversation", SearchQuery{Terms: []string{"ok"}, Conv: "dm:" + bob}, nil},
		{"short term by author", SearchQuery{Terms: []string{"ok"}, Author: carol}, []string{"d4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := searchIDs(t, s, tc.q); !slices.Equal(got, tc.want) {
				t.Errorf("Search(%+v) = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}

// Nothing a user types is FTS5 or LIKE syntax.
func TestSearchHostileInput(t *testing.T) {
	s := searchFixture(t)
	for _, term := range []string{
		`"`, `""`, `"""`, `*`, `a*`, `AND`, `OR`, `NOT`, `NEAR(a b)`, `-budget`, `body:budget`, `^budget`,
		`'`, `%`, `_`, `\`, `(`, `)`, `{body}: x`, "a\x00b", "\x00\x00\x00", "bud\x00get", "\xff\xfe\xfd",
		strings.Repeat("x", 10000), "é́́", "\u0301\u0301\u0301", "   ", "a b", "+", "a+b", `"budget" OR "lunch"`,
	} {
		if _, err := s.Search(t.Context(), SearchQuery{Terms: []string{term}}); err != nil && len(cleanTerms([]string{term})) > 0 {
			t.Errorf("Search(%q): %v", term, err)
		}
	}
	if got := searchIDs(t, s, SearchQuery{Terms: []string{`"budget" OR "lunch"`}}); got != nil {
		t.Errorf("an OR typed by the user is text, not syntax: %v", got)
	}
	if _, err := s.Search(t.Context(), SearchQuery{Terms: []string{"", " "}}); err == nil {
		t.Error("a search without terms must fail")
	}
}

func TestSearchRanksAndLimits(t *testing.T) {
	s := newTestStore(t)
	base := time.Now().Add(-100 * 24 * time.Hour)
	for i := range 30 {
		m := Message{ID: fmt.Sprintf("m%02d", i), Conv: "dm:" + bob, Author: bob,
			Text: fmt.Sprintf("status report number %d", i), SentAt: base.Add(time.Duration(i) * 72 * time.Hour)}
		if _, _, err := s.InsertIncoming(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	hits, err := s.Search(t.Context(), SearchQuery{Terms: []string{"report"}, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 5 {
		t.Fatalf("%d hits, want 5", len(hits))
	}
	for i, h := range hits {
		if want := fmt.Sprintf("m%02d", 29-i); h.Message.ID != want {
			t.Errorf("hit %d = %s, want %s (equal matches: newest first)", i, h.Message.ID, want)
		}
		if h.Body != h.Message.Text || h.Score <= 0 {
			t.Errorf("hit %d: body %q, score %v", i, h.Body, h.Score)
		}
	}
	// A short, exact message outranks a long one that mentions the word once.
	long := Message{ID: "long", Conv: "dm:" + bob, Author: bob, SentAt: time.Now(),
		Text: "zebra " + strings.Repeat("and many other words about nothing in particular ", 40)}
	short := Message{ID: "short", Conv: "dm:" + bob, Author: bob, SentAt: time.Now().Add(-time.Hour), Text: "zebra"}
	for _, m := range []Message{long, short} {
		if _, _, err := s.InsertIncoming(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	hits, err = s.Search(t.Context(), SearchQuery{Terms: []string{"zebra"}})
	if err != nil || len(hits) != 2 || hits[0].Message.ID != "short" {
		t.Fatalf("hits %+v, %v: want the short message first", hits, err)
	}
	if hits, err := s.Search(t.Context(), SearchQuery{Terms: []string{"report"}, Limit: 100000}); err != nil || len(hits) != 30 {
		t.Fatalf("%d hits, %v", len(hits), err)
	}
}

// The index follows deletes and edits, and stays exactly the messages.
func TestSearchIndexFollowsChanges(t *testing.T) {
	s := searchFixture(t)
	ctx := t.Context()
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM messages WHERE id = 'd1'`); err != nil {
		t.Fatal(err)
	}
	if got := searchIDs(t, s, SearchQuery{Terms: []string{"lunch"}}); got != nil {
		t.Errorf("deleted message still found: %v", got)
	}
	if _, err := s.writer.ExecContext(ctx, `UPDATE messages SET text = 'dinner instead' WHERE id = 'd2'`); err != nil {
		t.Fatal(err)
	}
	if got := searchIDs(t, s, SearchQuery{Terms: []string{"dinner"}}); !slices.Equal(got, []string{"d2"}) {
		t.Errorf("edited message: %v", got)
	}
	if got := searchIDs(t, s, SearchQuery{Terms: []string{"4711"}}); got != nil {
		t.Errorf("edited message found by its old text: %v", got)
	}
	if err := s.CheckSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	// An index that drifted from the messages is caught.
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO message_fts (rowid, body) VALUES (999999, 'ghost')`); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSearchIndex(ctx); err == nil {
		t.Fatal("a drifted index passed the check")
	}
}

func FuzzSearchTerms(f *testing.F) {
	for _, seed := range []string{"budget", `"`, "a*", "NEAR(x y)", "資料", "ok", "\x00", `%\_`} {
		f.Add(seed, "x")
	}
	s := newTestStore(f)
	if _, _, err := s.InsertIncoming(f.Context(), Message{ID: "1", Conv: "dm:" + bob, Author: bob, Text: "a budget 資料 ok"}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		_, err := s.Search(t.Context(), SearchQuery{Terms: []string{a, b}, Limit: 3})
		if err != nil && len(cleanTerms([]string{a, b})) > 0 {
			t.Fatalf("Search(%q, %q): %v", a, b, err)
		}
	})
}

// The tags search computes must be the ones the index holds, or filtered
// searches would silently miss messages.
func TestTagsMatchTheView(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	times := []time.Time{time.UnixMilli(1), time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 28, 23, 59, 59, 999e6, time.UTC),
		time.Date(2300, 7, 4, 12, 0, 0, 0, time.UTC), time.UnixMilli(4096*periodMillis - 1), time.UnixMilli(4096 * periodMillis)}
	authors := []string{bob, "12D3KooWÅßé", "ab", "12D3KooW会議"}
	for i, a := range authors {
		m := Message{ID: fmt.Sprint(i), Conv: "dm:" + a, Author: a, Text: "x", SentAt: times[i%len(times)], Kind: KindFile}
		if _, _, err := s.InsertIncoming(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for i, at := range times {
		m := Message{ID: fmt.Sprint("t", i), Conv: "room:r", Author: bob, Text: "x", SentAt: at}
		if _, _, err := s.InsertIncoming(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT m.conv, m.author, m.sent_at, m.kind, v.tag_conv, v.tag_author, v.tag_month, v.tag_kind
		FROM messages m JOIN message_search v ON v.seq = m.seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var conv, author, kind, tc, ta, tm, tk string
		var sent int64
		if err := rows.Scan(&conv, &author, &sent, &kind, &tc, &ta, &tm, &tk); err != nil {
			t.Fatal(err)
		}
		n++
		if want := idTag(tagConvMark, conv); tc != want {
			t.Errorf("conv tag of %q: view %q, Go %q", conv, tc, want)
		}
		if want := idTag(tagAuthorMark, author); ta != want {
			t.Errorf("author tag of %q: view %q, Go %q", author, ta, want)
		}
		want := ""
		if mo := monthOf(time.UnixMilli(sent)); mo >= 0 && mo < 4096 {
			want = monthTag(mo)
		}
		if tm != want {
			t.Errorf("period tag of %v: view %q, Go %q", time.UnixMilli(sent).UTC(), tm, want)
		}
		if (tk != "") != (kind == KindFile) {
			t.Errorf("kind tag %q for %s", tk, kind)
		}
	}
	if n != len(authors)+len(times) {
		t.Fatalf("%d rows", n)
	}
}
