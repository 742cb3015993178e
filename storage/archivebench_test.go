package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"hallway/archive"
	"hallway/internal/benchenv"
)

// TestBenchArchive measures the archive at office scale (make bench):
// 1,000,000 generated messages (HALLWAY_BENCH_MESSAGES to change) inserted
// in batches, the bytes each takes on disk, and search latency over them
// for a mix of queries, against a baseline of finding a word by reading
// every message (what search would cost without its index).
func TestBenchArchive(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("HALLWAY_BENCH_MESSAGES")); err == nil && v > 0 {
		n = v
	}
	const batch = 1000
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hallway.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := newOfficeGen(42, 60, 12)
	cpu0 := benchenv.CPUTime()
	took := g.fill(t, s, n, batch)   // time spent storing, not generating
	cpu := benchenv.CPUTime() - cpu0 // generating included: an upper bound
	fmt.Printf("BENCH archive insert: %d messages in batches of %d: %.1f s, %.0f msgs/s (target >= 10000); %.0f msgs per CPU second (generator included), as on an idle machine\n",
		n, batch, took.Seconds(), float64(n)/took.Seconds(), float64(n)/cpu.Seconds())

	if _, err := s.writer.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	var textBytes int64
	s.reader.QueryRowContext(ctx, `SELECT sum(length(CAST(text AS BLOB))) FROM messages`).Scan(&textBytes)
	var ftsPages, allPages int64
	s.reader.QueryRowContext(ctx, `SELECT count(*) FROM dbstat WHERE name LIKE 'message_fts%'`).Scan(&ftsPages)
	s.reader.QueryRowContext(ctx, `SELECT count(*) FROM dbstat`).Scan(&allPages)
	fmt.Printf("BENCH archive disk: %.0f bytes/message on disk (text averages %.0f bytes; search index %.0f%% of the file; room messages keep their signed envelope)\n",
		float64(fi.Size())/float64(n), float64(textBytes)/float64(n), 100*float64(ftsPages)/float64(max(allPages, 1)))

	// Baseline: the same messages into a store whose search index is a
	// plain table, which keeps the same text without tokenizing it.
	bn := min(n, 200_000)
	base := openWithoutIndex(t)
	btook := newOfficeGen(42, 60, 12).fill(t, base, bn, batch)
	fmt.Printf("BENCH archive insert baseline without the full-text index: %d messages, %.0f msgs/s; with it %.0f%% of that\n",
		bn, float64(bn)/btook.Seconds(), 100*(float64(n)/took.Seconds())/(float64(bn)/btook.Seconds()))
	base.Close()

	// Warm the page cache as a running node would be.
	for _, q := range benchQueries(g, 0) {
		s.Search(ctx, q.q)
	}
	const rounds = 60
	byKind := map[string][]time.Duration{}
	var all []time.Duration
	var kinds []string
	for i := range rounds {
		for _, q := range benchQueries(g, i+1) {
			st := time.Now()
			hits, err := s.Search(ctx, q.q)
			if err != nil {
				t.Fatalf("%s %+v: %v", q.kind, q.q, err)
			}
			for _, h := range hits {
				archive.Snippet(h.Body, q.q.Terms, 160)
			}
			d := time.Since(st)
			if _, ok := byKind[q.kind]; !ok {
				kinds = append(kinds, q.kind)
			}
			byKind[q.kind] = append(byKind[q.kind], d)
			all = append(all, d)
		}
	}
	for _, k := range kinds {
		fmt.Printf("BENCH archive search %-13s p50 %6.2f ms  p99 %6.2f ms\n", k+":", ms(pct(byKind[k], 50)), ms(pct(byKind[k], 99)))
	}
	p50, p99 := pct(all, 50), pct(all, 99)

	// Baseline: a rare word found by reading every message.
	st := time.Now()
	var found int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE text LIKE '%zephyr00013%'`).Scan(&found); err != nil {
		t.Fatal(err)
	}
	scan := time.Since(st)
	fmt.Printf("BENCH archive search all queries (%d): p50 %.2f ms, p99 %.2f ms (target p99 <= 50 ms); baseline full scan for one word %.0f ms, %.0fx the p50\n",
		len(all), ms(p50), ms(p99), ms(scan), float64(scan)/float64(p50))
}

// openWithoutIndex opens a store whose search index is replaced by a
// plain table of the same columns, for the baseline.
func openWithoutIndex(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "baseline.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TRIGGER messages_fts_delete", "DROP TRIGGER messages_fts_unindex",
		"DROP TRIGGER messages_fts_reindex", "DROP TABLE message_fts",
		"CREATE TABLE message_fts (body, tag_conv, tag_author, tag_month, tag_kind)"} {
		if _, err := s.writer.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
