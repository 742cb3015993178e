package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestBenchCommit measures single-message commits, each durable on its
// own (synchronous=FULL, as a direct message is stored before it is
// acknowledged), into an archive that already holds 100,000 messages,
// next to the disk's own floor measured in the same run: a write of one
// page appended to a file and fsync'd.
func TestBenchCommit(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "hallway.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := newOfficeGen(7, 60, 12)
	g.fill(t, s, 100_000, 1000)

	const n = 2000
	var took []time.Duration
	start := time.Now()
	for range n {
		_, m, room := g.next()
		for room {
			_, m, room = g.next()
		}
		st := time.Now()
		if _, _, err := s.InsertIncoming(ctx, m); err != nil {
			t.Fatal(err)
		}
		took = append(took, time.Since(st))
	}
	all := time.Since(start)
	floor := fsyncFloor(t, dir)

	// The same, from 16 colleagues at once: each message still durable
	// before its caller returns, commits shared (groupcommit.go).
	const writers = 16
	var wg sync.WaitGroup
	msgs := make([][]Message, writers)
	for i := range n {
		_, m, room := g.next()
		for room {
			_, m, room = g.next()
		}
		msgs[i%writers] = append(msgs[i%writers], m)
	}
	cstart := time.Now()
	for w := range writers {
		wg.Go(func() {
			for _, m := range msgs[w] {
				if _, _, err := s.InsertIncoming(ctx, m); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	concurrent := time.Since(cstart)
	// Commits queue their messages for search; the indexer works the
	// queue off in the background, and a search does it first.
	left := backlogLen(t, s)
	istart := time.Now()
	if err := s.indexBacklog(ctx); err != nil {
		t.Fatal(err)
	}
	catchUp := time.Since(istart)
	slices.Sort(took)
	p50, p99 := took[len(took)/2], took[len(took)*99/100]
	fmt.Printf("BENCH single-message commits (a received DM, durable, queued for search in the same commit; 100,000 messages stored): %.0f commits/s, p50 %s p99 %s; disk floor (4 KiB append + fsync) p50 %s = %.0f/s; commit p50 / floor %.1fx\n",
		float64(n)/all.Seconds(), p50.Round(time.Microsecond), p99.Round(time.Microsecond), floor.Round(time.Microsecond),
		1/floor.Seconds(), float64(p50)/float64(floor))
	fmt.Printf("BENCH single-message commits from %d writers at once (each durable before it returns, commits shared): %.0f messages/s (target >= 4000), %.1fx one writer\n",
		writers, float64(n)/concurrent.Seconds(), all.Seconds()/concurrent.Seconds())
	fmt.Printf("BENCH search index after the last commit: %d messages still to index, indexed in %s (searchable before any search returns)\n",
		left, catchUp.Round(time.Microsecond))
}

// fsyncFloor is the median time to append a page to a file and fsync it.
func fsyncFloor(t *testing.T, dir string) time.Duration {
	f, err := os.CreateTemp(dir, "floor")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	var out []time.Duration
	for range 500 {
		st := time.Now()
		f.Write(page)
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		out = append(out, time.Since(st))
	}
	slices.Sort(out)
	return out[len(out)/2]
}
