package chaos

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"hallway/control"
	"hallway/internal/fleet"
)

// tracker follows one daemon's events across restarts and remembers when
// it first held each message (received from a colleague or sent itself).
type tracker struct {
	d      *fleet.Daemon
	rooms  []string // "#name" conversations swept after a reconnect
	mu     sync.Mutex
	seen   map[string]time.Time
	recv   int            // message_received events, duplicates included
	texts  map[string]int // message_received events by text
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

// track starts following d; it stops when the test ends.
func track(t *testing.T, d *fleet.Daemon, rooms ...string) *tracker {
	ctx, cancel := context.WithCancel(context.Background())
	tr := &tracker{d: d, rooms: rooms, seen: map[string]time.Time{}, texts: map[string]int{}, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	ready := make(chan struct{})
	go tr.follow(ctx, ready)
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: no event stream", d.Name)
	}
	t.Cleanup(func() { cancel(); <-tr.done })
	return tr
}

// follow keeps an event stream open while the daemon runs; after each
// reconnect it sweeps the history, so nothing stored while the stream was
// down is missed.
func (tr *tracker) follow(ctx context.Context, ready chan struct{}) {
	defer close(tr.done)
	var once sync.Once
	for ctx.Err() == nil {
		tr.d.Client().Events(ctx, func() { once.Do(func() { close(ready) }) }, func(e control.WireEvent) bool {
			if e.Message != nil && (e.Type == "message_received" || e.Type == "message_sent") {
				tr.note(e.Message.ID, e.Message.Text, e.Type == "message_received")
			}
			return true
		})
		// The daemon is down or restarting: try again shortly.
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
		if tr.d.Running() {
			tr.sweep()
		}
	}
}

func (tr *tracker) note(id, text string, received bool) {
	tr.mu.Lock()
	if _, ok := tr.seen[id]; !ok {
		tr.seen[id] = time.Now()
	}
	if received {
		tr.recv++
		tr.texts[text]++
	}
	tr.mu.Unlock()
	select {
	case tr.wake <- struct{}{}:
	default:
	}
}

// sweep adds every message the daemon's history holds for the tracked
// rooms (a safety net for events missed while disconnected).
func (tr *tracker) sweep() {
	for _, room := range tr.rooms {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		msgs, err := tr.d.Client().History(ctx, room, 0, 10_000_000)
		cancel()
		if err != nil {
			continue
		}
		tr.mu.Lock()
		now := time.Now()
		for _, m := range msgs {
			if _, ok := tr.seen[m.ID]; !ok {
				tr.seen[m.ID] = now
			}
		}
		tr.mu.Unlock()
	}
}

// at reports when the daemon first held id.
func (tr *tracker) at(id string) (time.Time, bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	at, ok := tr.seen[id]
	return at, ok
}

func (tr *tracker) missing(ids []string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, id := range ids {
		if _, ok := tr.seen[id]; !ok {
			n++
		}
	}
	return n
}

// waitAll waits until the daemon holds every id, checking after each
// event and sweeping the history once a second.
func (tr *tracker) waitAll(ids []string, timeout time.Duration) error {
	limit := time.NewTimer(timeout)
	defer limit.Stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for tr.missing(ids) > 0 {
		select {
		case <-tr.wake:
		case <-tick.C:
			if tr.d.Running() {
				tr.sweep()
			}
		case <-limit.C:
			tr.sweep()
			if n := tr.missing(ids); n > 0 {
				return fmt.Errorf("%s still misses %d of %d messages after %s", tr.d.Name, n, len(ids), timeout)
			}
		}
	}
	return nil
}

// waitAllOf waits until every tracker holds every id and returns the time
// from start until the last one did.
func waitAllOf(trs []*tracker, ids []string, timeout time.Duration, start time.Time) (time.Duration, error) {
	var last time.Time
	for _, tr := range trs {
		if err := tr.waitAll(ids, timeout); err != nil {
			return 0, err
		}
		for _, id := range ids {
			if at, _ := tr.at(id); at.After(last) {
				last = at
			}
		}
	}
	return max(0, last.Sub(start)), nil
}

// shown counts the message_received events whose text is text.
func (tr *tracker) shown(text string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.texts[text]
}
