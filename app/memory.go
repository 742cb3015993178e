package app

import (
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

const (
	// trimDelay is how long the window waits, after it has drawn a
	// conversation, before it hands the memory freed meanwhile back to
	// the system; another conversation drawn within it starts the wait
	// again.
	trimDelay = 2 * time.Second
	// trimEvery is how often the window hands back what it freed since
	// the last trim, drawn conversation or not.
	trimEvery = time.Minute
)

// trimmer hands the heap the window no longer uses back to the system.
// Opening a conversation reads and lays out a page of messages, and
// laying out the window parses fonts; each frame drawn, a blinking cursor
// included, allocates a little. Go keeps the heap freed for reuse until
// the heap doubles, and its scavenger returns none of it below that, so
// an idle window would sit 10 to 20 MB above what it uses.
type trimmer struct {
	// delay and every are trimDelay and trimEvery unless a test says
	// otherwise.
	delay, every time.Duration
	// done, when set, is told of each trim: whether it followed a
	// conversation drawn (else it is the periodic one), the heap in use
	// after it, the heap handed back to the system, and how long it took.
	done func(drawn bool, heap, released uint64, took time.Duration)

	mu      sync.Mutex
	timer   *time.Timer
	gen     int // bumped on every arm, so a superseded timer does nothing
	stopped bool
}

// start begins the periodic trims. A nil trimmer (the window under a test
// driver) does nothing, here and in soon and stop.
func (t *trimmer) start() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.arm(t.period(), false)
}

// soon trims once the window has been quiet for the delay after drawing
// a conversation.
func (t *trimmer) soon() {
	if t == nil {
		return
	}
	d := t.delay
	if d == 0 {
		d = trimDelay
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.arm(d, true)
}

// stop drops any pending trim for good.
func (t *trimmer) stop() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	if t.timer != nil {
		t.timer.Stop()
	}
}

func (t *trimmer) period() time.Duration {
	if t.every == 0 {
		return trimEvery
	}
	return t.every
}

// arm replaces the pending trim with one after d; t.mu is held.
func (t *trimmer) arm(d time.Duration, drawn bool) {
	if t.stopped {
		return
	}
	if t.timer != nil {
		t.timer.Stop()
	}
	t.gen++
	gen := t.gen
	t.timer = time.AfterFunc(d, func() { t.trim(gen, drawn) })
}

// trim collects garbage and returns every free page of the heap to the
// system at once, rather than at the pace of the runtime's background
// scavenger, then arms the next periodic trim unless a newer one was
// armed meanwhile.
func (t *trimmer) trim(gen int, drawn bool) {
	t.mu.Lock()
	current := gen == t.gen && !t.stopped
	t.mu.Unlock()
	if !current {
		return
	}
	start := time.Now()
	debug.FreeOSMemory()
	took := time.Since(start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if t.done != nil {
		t.done(drawn, ms.HeapInuse, ms.HeapReleased, took)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if gen == t.gen {
		t.arm(t.period(), false)
	}
}
