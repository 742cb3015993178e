package storage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// fillConversation stores n incoming messages in conv from alternating
// authors, with a message of another conversation between each, and returns
// them in insertion order. sentAt gives each message's author clock.
func fillConversation(t *testing.T, s *Store, conv string, n int, sentAt func(i int) time.Time) []Message {
	t.Helper()
	ctx := t.Context()
	var msgs []Message
	for i := range n {
		author := bob
		if i%2 == 1 {
			author = cat
		}
		m, _, err := s.InsertIncoming(ctx, Message{ID: fmt.Sprintf("%s-%d", conv, i), Conv: conv,
			Author: author, Text: fmt.Sprint(i), SentAt: sentAt(i)})
		if err != nil {
			t.Fatalf("InsertIncoming: %v", err)
		}
		msgs = append(msgs, m)
		if _, _, err := s.InsertIncoming(ctx, Message{ID: fmt.Sprintf("noise-%s-%d", conv, i),
			Conv: "dm:noise", Author: bob, Text: "x", SentAt: sentAt(i)}); err != nil {
			t.Fatalf("InsertIncoming noise: %v", err)
		}
	}
	return msgs
}

func sortedBySentAt(msgs []Message) []Message {
	out := slices.Clone(msgs)
	slices.SortFunc(out, func(a, b Message) int {
		if c := a.SentAt.Compare(b.SentAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	return out
}

func TestHistoryPagination(t *testing.T) {
	base := time.UnixMilli(1_700_000_000_000)
	tests := []struct {
		name      string
		n         int
		limit     int
		sentAt    func(i int) time.Time
		wantPages []int
	}{
		{name: "250 in pages of 100", n: 250, limit: 100,
			sentAt:    func(i int) time.Time { return base.Add(time.Duration(i) * time.Second) },
			wantPages: []int{100, 100, 50}},
		{name: "exact multiple", n: 20, limit: 10,
			sentAt:    func(i int) time.Time { return base.Add(time.Duration(i) * time.Second) },
			wantPages: []int{10, 10}},
		{name: "same millisecond", n: 30, limit: 7,
			sentAt:    func(int) time.Time { return base },
			wantPages: []int{7, 7, 7, 7, 2}},
		// One author's clock runs an hour behind: pages are still disjoint
		// and complete, each sorted by the authors' clocks.
		{name: "skewed clocks", n: 50, limit: 15,
			sentAt: func(i int) time.Time {
				d := time.Duration(i) * time.Second
				if i%2 == 1 {
					d -= time.Hour
				}
				return base.Add(d)
			},
			wantPages: []int{15, 15, 15, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			ctx := t.Context()
			inserted := fillConversation(t, s, "dm:"+bob, tc.n, tc.sentAt)

			var pages [][]Message
			before := int64(0)
			for {
				page, err := s.History(ctx, "dm:"+bob, before, tc.limit)
				if err != nil {
					t.Fatalf("History: %v", err)
				}
				if len(page) == 0 {
					break
				}
				if len(pages) > tc.n {
					t.Fatal("pagination does not terminate")
				}
				if want := sortedBySentAt(page); !slices.Equal(page, want) {
					t.Errorf("page %d not ordered by SentAt, Seq: %v", len(pages), ids(page))
				}
				pages = append(pages, page)
				before = slices.MinFunc(page, func(a, b Message) int { return cmp.Compare(a.Seq, b.Seq) }).Seq
			}
			var sizes []int
			var seqs []int64
			for _, p := range pages {
				sizes = append(sizes, len(p))
			}
			for i := len(pages) - 1; i >= 0; i-- {
				for _, m := range pages[i] {
					seqs = append(seqs, m.Seq)
				}
			}
			if !slices.Equal(sizes, tc.wantPages) {
				t.Errorf("page sizes = %v, want %v", sizes, tc.wantPages)
			}
			slices.Sort(seqs)
			var want []int64
			for _, m := range inserted {
				want = append(want, m.Seq)
			}
			if !slices.Equal(seqs, want) {
				t.Errorf("stitched pages hold seqs %v, want each of %v exactly once", seqs, want)
			}

			all, err := s.History(ctx, "dm:"+bob, 0, 0)
			if err != nil {
				t.Fatalf("History(all): %v", err)
			}
			if !slices.Equal(all, sortedBySentAt(inserted)) {
				t.Errorf("History(all) = %v, want %v", ids(all), ids(sortedBySentAt(inserted)))
			}
			if tc.name != "skewed clocks" {
				// With agreeing clocks the stitched pages are the full list.
				var stitched []Message
				for i := len(pages) - 1; i >= 0; i-- {
					stitched = append(stitched, pages[i]...)
				}
				if !slices.Equal(stitched, all) {
					t.Errorf("stitched pages differ from the full ascending list")
				}
			}
			if n, err := s.CountMessages(ctx, "dm:"+bob); err != nil || n != tc.n {
				t.Errorf("CountMessages = %d, %v; want %d", n, err, tc.n)
			}
		})
	}
}

func TestHistoryEdges(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	base := time.UnixMilli(1_700_000_000_000)
	msgs := fillConversation(t, s, "dm:"+bob, 5, func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) })
	tests := []struct {
		name   string
		conv   string
		before int64
		limit  int
		want   []string
	}{
		{name: "newest two", conv: "dm:" + bob, before: 0, limit: 2, want: ids(msgs[3:])},
		{name: "negative cursor means newest", conv: "dm:" + bob, before: -1, limit: 2, want: ids(msgs[3:])},
		{name: "before the third", conv: "dm:" + bob, before: msgs[2].Seq, limit: 10, want: ids(msgs[:2])},
		{name: "before the first", conv: "dm:" + bob, before: msgs[0].Seq, limit: 10, want: nil},
		{name: "no limit", conv: "dm:" + bob, before: 0, limit: 0, want: ids(msgs)},
		{name: "unknown conversation", conv: "dm:" + cat, before: 0, limit: 10, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.History(ctx, tc.conv, tc.before, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("History = %v, want %v", ids(got), tc.want)
			}
		})
	}
}

// Losing the (conv, seq) index would make every page sort the whole
// conversation; the plan shows it.
func TestHistoryUsesSeqIndex(t *testing.T) {
	s := newTestStore(t)
	rows, err := s.reader.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+historySQL, "dm:"+bob, 100, 10)
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
	if !slices.ContainsFunc(plan, func(d string) bool { return strings.Contains(d, "messages_conv_seq") }) {
		t.Errorf("history query does not use messages_conv_seq; plan: %q", plan)
	}
}
