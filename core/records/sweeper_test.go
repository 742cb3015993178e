package records

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"hallway/chat"
	"hallway/storage"
)

// The sweeper applies retention at start, then every period as time
// passes, and at once when kicked; the clock is synctest's.
func TestSweeperRunsOnItsOwn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		st, err := storage.Open(ctx, filepath.Join(t.TempDir(), "hallway.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		day := 24 * time.Hour
		for i, age := range []time.Duration{10 * day, 3 * day} {
			m := storage.Message{ID: string(rune('a' + i)), Conv: "dm:peer", Author: "peer", Text: "note", SentAt: time.Now().Add(-age)}
			if _, _, err := st.InsertIncoming(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.SetRetention(ctx, storage.ScopeWorkspace, 5); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var sweeps []chat.SweepResult
		w := newSweeper(st, time.Hour, slog.New(slog.DiscardHandler), func(_ context.Context, _ storage.ExpiryResult, out chat.SweepResult) {
			mu.Lock()
			sweeps = append(sweeps, out)
			mu.Unlock()
		})
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { w.run(runCtx); close(done) }()
		count := func() int {
			n, err := st.CountMessages(ctx, "dm:peer")
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		swept := func() int { mu.Lock(); defer mu.Unlock(); return len(sweeps) }

		synctest.Wait()
		if count() != 1 || swept() != 1 {
			t.Fatalf("at start: %d messages left, %d sweeps; want 1, 1", count(), swept())
		}
		// Two days later the other message is five days old: gone by the
		// first hourly sweep after that, and not before.
		time.Sleep(2*day + time.Minute)
		synctest.Wait()
		if count() != 1 {
			t.Fatalf("deleted early")
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if count() != 0 {
			t.Fatal("not deleted by the hourly sweep")
		}
		if n := swept(); n != 1+49 {
			t.Errorf("%d sweeps in two days; want one at start and one an hour", n)
		}
		w.kick()
		synctest.Wait()
		if n := swept(); n != 51 {
			t.Errorf("a kick did not sweep at once: %d", n)
		}
		cancel()
		<-done
	})
}

// A sweep that fails is tried again a period later.
func TestSweeperRetriesAfterAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := newFakeStore()
		st.expireErr = errors.New("database is locked")
		w := newSweeper(st, time.Hour, slog.New(slog.DiscardHandler), nil)
		sweeps := func() int { st.mu.Lock(); defer st.mu.Unlock(); return st.sweeps }
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- w.run(ctx) }()
		synctest.Wait()
		if n := sweeps(); n != 1 {
			t.Fatalf("%d sweeps at start", n)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := sweeps(); n != 2 {
			t.Fatalf("%d sweeps after a failure and an hour; want 2", n)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run ended with %v", err)
		}
	})
}

// gatedExpirer holds each sweep until the test lets it finish.
type gatedExpirer struct {
	gate   chan struct{}
	sweeps atomic.Int32
}

func (g *gatedExpirer) ApplyRetention(ctx context.Context, _ time.Time) (storage.ExpiryResult, error) {
	g.sweeps.Add(1)
	select {
	case <-g.gate:
	case <-ctx.Done():
	}
	return storage.ExpiryResult{}, nil
}

// Kicks made while a sweep runs merge into one more sweep.
func TestSweeperMergesKicks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gatedExpirer{gate: make(chan struct{})}
		w := newSweeper(g, time.Hour, slog.New(slog.DiscardHandler), nil)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- w.run(ctx) }()
		synctest.Wait() // the sweep at start is running
		w.kick()
		w.kick()
		w.kick()
		g.gate <- struct{}{}
		synctest.Wait()
		if n := g.sweeps.Load(); n != 2 {
			t.Fatalf("%d sweeps; want the one at start and one for the kicks", n)
		}
		g.gate <- struct{}{}
		synctest.Wait()
		if n := g.sweeps.Load(); n != 2 {
			t.Errorf("%d sweeps; the kicks did not merge", n)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run ended with %v", err)
		}
	})
}
