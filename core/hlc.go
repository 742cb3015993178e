package core

import (
	"sync"
	"time"
)

// maxClockSkew bounds how far a colleague's clock may pull ours forward: a
// peer with a clock set a year ahead must not push every later message of
// ours to the end of every room.
const maxClockSkew = time.Minute

// hlc is a hybrid logical clock: wall-clock milliseconds in the high 48
// bits, a counter in the low 16. It never goes backwards, moves past any
// (plausible) clock seen in a colleague's message, and so orders a reply
// after what it answers even between machines whose clocks disagree.
type hlc struct {
	mu   sync.Mutex
	last uint64
	now  func() time.Time
}

func newHLC(last uint64) *hlc { return &hlc{last: last, now: time.Now} }

func wallHLC(t time.Time) uint64 { return uint64(t.UnixMilli()) << 16 }

// Now returns a clock value greater than every value returned or observed.
func (c *hlc) Now() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = max(wallHLC(c.now()), c.last+1)
	return c.last
}

// Observe takes a colleague's clock into account, unless it is implausibly
// far ahead of ours.
func (c *hlc) Observe(remote uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if remote > wallHLC(c.now().Add(maxClockSkew)) {
		return
	}
	c.last = max(c.last, remote)
}

// hlcTime is the wall-clock part of a clock value.
func hlcTime(v uint64) time.Time { return time.UnixMilli(int64(v >> 16)) }
