package storage

import (
	"fmt"
	"strconv"
	"testing"
)

// BenchmarkInsertIncoming measures committed incoming messages per second;
// each one is its own durable (synchronous=FULL) transaction, as in use.
func BenchmarkInsertIncoming(b *testing.B) {
	s := newTestStore(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		m := Message{ID: strconv.Itoa(i), Conv: "dm:" + bob, Author: bob, Text: "benchmark message of ordinary length"}
		if _, _, err := s.InsertIncoming(ctx, m); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "msgs/s")
}

// benchAuthors returns n distinct peer IDs of realistic length.
func benchAuthors(n int) []string {
	authors := make([]string, n)
	for i := range authors {
		authors[i] = fmt.Sprintf("12D3KooWBenchAuthor%033d", i)
	}
	return authors
}

// fillRoomLog stores perAuthor envelopes of raw bytes each for every author,
// interleaved as a live room would deliver them, in batches of batch.
func fillRoomLog(tb testing.TB, s *Store, room string, authors []string, perAuthor, batch, raw int) {
	tb.Helper()
	payload := make([]byte, raw)
	var entries []RoomEntry
	hlc := uint64(1 << 32)
	for seq := uint64(1); seq <= uint64(perAuthor); seq++ {
		for _, a := range authors {
			hlc += 7
			entries = append(entries, RoomEntry{Room: room, Author: a, Seq: seq, HLC: hlc, Raw: payload,
				Message: Message{ID: fmt.Sprintf("%s-%d", room, seq), Text: "benchmark message of ordinary length"}})
			if len(entries) == batch {
				if _, err := s.InsertRoomEntries(tb.Context(), entries); err != nil {
					tb.Fatal(err)
				}
				entries = entries[:0]
			}
		}
	}
	if _, err := s.InsertRoomEntries(tb.Context(), entries); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkInsertRoomEntries measures committed room entries per second in
// batches of 500 with 1 KiB envelopes, each batch one durable transaction.
func BenchmarkInsertRoomEntries(b *testing.B) {
	const batch = 500
	s := newTestStore(b)
	ctx := b.Context()
	authors := benchAuthors(20)
	payload := make([]byte, 1024)
	seq, hlc, n := uint64(0), uint64(1<<32), 0
	entries := make([]RoomEntry, 0, batch)
	for b.Loop() {
		entries = entries[:0]
		for len(entries) < batch {
			seq++
			for _, a := range authors {
				hlc += 7
				entries = append(entries, RoomEntry{Room: "bench", Author: a, Seq: seq, HLC: hlc, Raw: payload,
					Message: Message{ID: "bench-" + strconv.FormatUint(seq, 10), Text: "benchmark message of ordinary length"}})
			}
		}
		added, err := s.InsertRoomEntries(ctx, entries)
		if err != nil {
			b.Fatal(err)
		}
		n += len(added)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkInsertRoomEntriesSingle measures the live-chat case: a colleague
// posts, and the one 1 KiB envelope is committed in a transaction of its own.
func BenchmarkInsertRoomEntriesSingle(b *testing.B) {
	s := newTestStore(b)
	ctx := b.Context()
	authors := benchAuthors(20)
	payload := make([]byte, 1024)
	seqs := make([]uint64, len(authors))
	hlc, i := uint64(1<<32), 0
	entry := make([]RoomEntry, 1)
	for b.Loop() {
		a := i % len(authors)
		seqs[a]++
		hlc += 7
		entry[0] = RoomEntry{Room: "bench", Author: authors[a], Seq: seqs[a], HLC: hlc, Raw: payload,
			Message: Message{ID: "bench-" + strconv.FormatUint(seqs[a], 10), Text: "benchmark message of ordinary length"}}
		added, err := s.InsertRoomEntries(ctx, entry)
		if err != nil {
			b.Fatal(err)
		}
		if len(added) != 1 {
			b.Fatalf("added %d entries, want 1", len(added))
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkRoomHeads reads the version vector of a room of 20 authors, which
// is done for every sync exchange with a peer.
func BenchmarkRoomHeads(b *testing.B) {
	s := newTestStore(b)
	ctx := b.Context()
	authors := benchAuthors(20)
	fillRoomLog(b, s, "bench", authors, 50, 500, 1024)
	for b.Loop() {
		heads, err := s.RoomHeads(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		if len(heads) != len(authors) {
			b.Fatalf("got %d heads, want %d", len(heads), len(authors))
		}
	}
}

// BenchmarkRoomEnvelopesAfter serves pages of 500 from a room of 100,000
// envelopes by 50 authors to peers in different states of catching up.
func BenchmarkRoomEnvelopesAfter(b *testing.B) {
	const perAuthor, page = 2000, 500
	s := newTestStore(b)
	ctx := b.Context()
	authors := benchAuthors(50)
	fillRoomLog(b, s, "bench", authors, perAuthor, 1000, 1024)
	vector := func(known int, behind uint64) map[string]uint64 {
		have := make(map[string]uint64)
		for i, a := range benchAuthors(known) {
			if i < len(authors) {
				have[a] = perAuthor - behind
			} else {
				have[a] = 5 // authors this room never saw
			}
		}
		return have
	}
	cases := []struct {
		name string
		have map[string]uint64
		want int
	}{
		{name: "new peer", have: map[string]uint64{}, want: page},
		{name: "half way", have: vector(50, perAuthor/2), want: page},
		{name: "behind by 5 each", have: vector(50, 5), want: 250},
		{name: "up to date, 300 authors in vector", have: vector(300, 0), want: 0},
		{name: "behind by 1 each, 300 authors in vector", have: vector(300, 1), want: 50},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				got, err := s.RoomEnvelopesAfter(ctx, "bench", tc.have, page)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != tc.want {
					b.Fatalf("got %d envelopes, want %d", len(got), tc.want)
				}
			}
		})
	}
}
