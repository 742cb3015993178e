package records

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"hallway/chat"
	"hallway/storage"
)

// sweeper applies retention while Hallway runs: at start, every period,
// and whenever a policy or a hold changes. It reads the clock through
// time.Now and waits on time's timers, so testing/synctest drives it.
type sweeper struct {
	store Expirer
	every time.Duration
	log   *slog.Logger
	// after is told what each sweep did, to clean up and announce it.
	after func(ctx context.Context, res storage.ExpiryResult, out chat.SweepResult)
	kicks chan struct{}
	mu    sync.Mutex // one sweep at a time
}

func newSweeper(store Expirer, every time.Duration, log *slog.Logger,
	after func(context.Context, storage.ExpiryResult, chat.SweepResult)) *sweeper {
	return &sweeper{store: store, every: every, log: log, after: after, kicks: make(chan struct{}, 1)}
}

// kick asks for a sweep soon; kicks made while one is pending merge.
func (w *sweeper) kick() {
	select {
	case w.kicks <- struct{}{}:
	default:
	}
}

func (w *sweeper) run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-w.kicks:
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
		}
		if _, err := w.sweep(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("applying retention failed; trying again later", "err", err)
		}
		t.Reset(w.every)
	}
}

func (w *sweeper) sweep(ctx context.Context) (chat.SweepResult, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	res, err := w.store.ApplyRetention(ctx, now)
	out := chat.SweepResult{At: now, Messages: res.Messages, Transfers: res.Transfers, Held: res.Held}
	if w.after != nil {
		w.after(ctx, res, out)
	}
	return out, err
}

// sweepDone removes what deleted transfer records left on disk, keeps a
// record of the sweep and announces deletions.
func (k *Keeper) sweepDone(ctx context.Context, res storage.ExpiryResult, out chat.SweepResult) {
	for _, p := range res.Partials {
		removePartial(p)
	}
	if b, err := json.Marshal(out); err == nil {
		if err := k.deps.Store.SetSetting(ctx, settingLastSweep, string(b)); err != nil && ctx.Err() == nil {
			k.deps.Log.Warn("record retention sweep", "err", err)
		}
	}
	if out.Messages > 0 || out.Transfers > 0 {
		k.deps.Log.Info("retention deleted expired history", "messages", out.Messages, "transfers", out.Transfers)
		k.deps.Events.Publish(chat.HistoryExpired{Result: out})
	}
}

// removePartial deletes a partial download left by an expired transfer
// record: only a regular file named as partial downloads are
// (".name.tag.partial"), never through a symbolic link.
func removePartial(path string) {
	base := filepath.Base(path)
	if !filepath.IsAbs(path) || !strings.HasPrefix(base, ".") || !strings.HasSuffix(base, ".partial") {
		return
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
		os.Remove(path)
	}
}
