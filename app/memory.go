package app

import (
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// trimDelay is how long the window waits, after it has drawn a
// conversation, before it hands the memory freed meanwhile back to the
// system; another conversation drawn within it starts the wait again.
const trimDelay = 2 * time.Second

// trimmer hands the heap the window no longer uses back to the system
// once it settles. Opening a conversation reads and lays out a page of
// messages, and laying out the window parses fonts; the garbage of that
// would otherwise stay resident while the window sits idle, since Go
// keeps a freed heap for reuse until it grows to twice what is live.
type trimmer struct {
	// delay is how long the window must stay quiet before a trim:
	// trimDelay unless a test says otherwise.
	delay time.Duration
	mu    sync.Mutex
	timer *time.Timer
	// done, when set, is told the heap in use after the trim, the heap
	// handed back to the system, and how long the trim took.
	done func(heap, released uint64, took time.Duration)
}

// soon trims once the window has been quiet for the delay. A nil
// trimmer (the window under a test driver) does nothing.
func (t *trimmer) soon() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer != nil {
		t.timer.Stop()
	}
	d := t.delay
	if d == 0 {
		d = trimDelay
	}
	t.timer = time.AfterFunc(d, t.trim)
}

// stop drops a pending trim.
func (t *trimmer) stop() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
}

// trim collects garbage and returns every free page of the heap to the
// system at once, rather than at the pace of the runtime's background
// scavenger.
func (t *trimmer) trim() {
	start := time.Now()
	debug.FreeOSMemory()
	took := time.Since(start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if t.done != nil {
		t.done(ms.HeapInuse, ms.HeapReleased, took)
	}
}
