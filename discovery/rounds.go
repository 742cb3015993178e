package discovery

import (
	"context"
	"log/slog"
	"time"

	"github.com/grandcat/zeroconf"
)

// firstRound is the length of the first browse round after a start or a
// rescan. Rounds follow each other back to back and double up to the cap, so
// queries go out at 0 s, 1 s, 3 s, 7 s, … as RFC 6762 §5.2 asks of a
// continuous querier (at least one second apart, then doubling).
const firstRound = time.Second

// backoff is first·2ⁿ, capped at max.
func backoff(n int, first, max time.Duration) time.Duration {
	d := first
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// rounder is one browse round's worth of work, driven by runRounds.
type rounder interface {
	// openRound starts a round of the given length. It is called on the
	// goroutine of runRounds, so the sockets it creates live in that
	// goroutine's network namespace. The channel must be closed once ctx
	// is done; on error it may be nil.
	openRound(ctx context.Context, length time.Duration) (<-chan *zeroconf.ServiceEntry, error)
	// entry handles one result; false stops listening for the rest of the
	// round (a flood), though the next round still waits for its time.
	entry(ctx context.Context, e *zeroconf.ServiceEntry) bool
	// closeRound runs after the round's channel is closed.
	closeRound()
}

// runRounds runs browse rounds back to back until ctx is done. Round n
// lasts backoff(n, firstRound, maxGap); a message on rescan makes the
// current round end no sooner than firstRound after it began (so a burst of
// rescans cannot become a burst of queries) and the schedule start over.
func runRounds(ctx context.Context, maxGap time.Duration, rescan <-chan struct{}, r rounder, log *slog.Logger) {
	for n := 0; ctx.Err() == nil; {
		if runRound(ctx, backoff(n, firstRound, maxGap), rescan, r, log) {
			n = 0
		} else if n < 32 {
			n++
		}
	}
}

// runRound runs one round and reports whether a rescan was asked for. It
// returns only after the round's channel is closed, which is what lets
// zeroconf's goroutines finish.
func runRound(ctx context.Context, length time.Duration, rescan <-chan struct{}, r rounder, log *slog.Logger) (rescanned bool) {
	start := time.Now()
	end := start.Add(length)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	entries, err := r.openRound(rctx, length)
	if err != nil {
		log.Warn("mdns: browse round failed", "err", err)
	}
	defer r.closeRound()

	timer := time.NewTimer(length)
	defer timer.Stop()
	timeUp := false
	done := ctx.Done()
	for entries != nil || !timeUp {
		select {
		case e, ok := <-entries:
			if !ok {
				entries = nil
				continue
			}
			if !r.entry(ctx, e) {
				cancel()
			}
		case <-timer.C:
			timeUp = true
			cancel()
		case <-done:
			done = nil
			timeUp = true
			cancel()
		case <-rescan:
			rescanned = true
			if soonest := start.Add(firstRound); !timeUp && soonest.Before(end) {
				end = soonest
				timer.Reset(time.Until(end))
			}
		}
	}
	return rescanned
}
