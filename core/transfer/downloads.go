package transfer

import (
	"context"
	"sync"
)

// downloads runs at most one download per transfer.
type downloads struct {
	spawn Spawner
	run   func(ctx context.Context, id string) // one attempt at a download
	ended func(id string)                      // after each attempt

	mu      sync.Mutex                    // guards running, done and again
	running map[string]context.CancelFunc // stops the attempt under way
	done    map[string]chan struct{}      // closed when that attempt has let go of its files
	again   map[string]bool               // asked to start while running
}

func newDownloads(spawn Spawner, run func(context.Context, string), ended func(string)) *downloads {
	return &downloads{
		spawn: spawn, run: run, ended: ended,
		running: map[string]context.CancelFunc{}, done: map[string]chan struct{}{}, again: map[string]bool{},
	}
}

// start runs a download attempt for id, unless one is running: then
// another attempt follows right after it.
func (d *downloads) start(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.running[id]; ok {
		// A source came back while the last attempt was still ending:
		// try again right after it, or the download would stay paused.
		d.again[id] = true
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.running[id] = cancel
	finished := make(chan struct{})
	d.done[id] = finished
	d.spawn.Go(func(life context.Context) {
		unlink := context.AfterFunc(life, cancel) // the service closing stops the download
		defer func() {
			unlink()
			d.mu.Lock()
			delete(d.running, id)
			delete(d.done, id)
			rerun := d.again[id] && ctx.Err() == nil && life.Err() == nil
			delete(d.again, id)
			d.mu.Unlock()
			close(finished)
			cancel()
			d.ended(id)
			if rerun {
				d.start(id)
			}
		}()
		d.run(ctx, id)
	})
}

// wait waits until a stopped download has let go of its files.
func (d *downloads) wait(id string) {
	d.mu.Lock()
	done := d.done[id]
	d.mu.Unlock()
	if done != nil {
		<-done
	}
}

// stop cancels the attempt under way for id, if any.
func (d *downloads) stop(id string) {
	d.mu.Lock()
	cancel := d.running[id]
	d.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}
