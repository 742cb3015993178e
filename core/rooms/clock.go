package rooms

import (
	"sync"
	"time"

	"hallway/chat"
)

// maxClockSkew bounds how far a colleague's clock may pull ours forward: a
// peer with a clock set a year ahead must not push every later message of
// ours to the end of every room. An envelope dated further ahead is placed
// at the time it arrives instead (see committer.admit).
const maxClockSkew = chat.MaxClockSkew

// Clock is a hybrid logical clock: wall-clock milliseconds in the high 48
// bits, a counter in the low 16. It never goes backwards, moves past any
// (plausible) clock seen in a colleague's message, and so orders a reply
// after what it answers even between machines whose clocks disagree.
type Clock struct {
	mu   sync.Mutex // guards last
	last uint64
	now  func() time.Time
}

// NewClock starts a clock past last, the newest value already used, unless
// last is implausibly far ahead of the wall clock: history written before
// envelopes were placed at their arrival, or while this machine's own clock
// was set ahead, must not drag every later post into the future.
func NewClock(last uint64) *Clock { return newClockAt(last, time.Now) }

func newClockAt(last uint64, now func() time.Time) *Clock {
	c := &Clock{now: now}
	c.last = min(last, c.ceiling())
	return c
}

func wallClock(t time.Time) uint64 { return uint64(t.UnixMilli()) << 16 }

// Now returns a clock value greater than every value returned or observed.
func (c *Clock) Now() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = max(wallClock(c.now()), c.last+1)
	return c.last
}

// Observe takes a colleague's clock into account, unless it is implausibly
// far ahead of ours.
func (c *Clock) Observe(remote uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if remote > c.ceiling() {
		return
	}
	c.last = max(c.last, remote)
}

// ceiling is the highest clock value that is believed now: the wall clock
// plus maxClockSkew.
func (c *Clock) ceiling() uint64 { return wallClock(c.now().Add(maxClockSkew)) }

// Plausible reports whether a colleague's clock value is believed now.
func (c *Clock) Plausible(v uint64) bool { return v <= c.ceiling() }

// clockTime is the wall-clock part of a clock value.
func clockTime(v uint64) time.Time { return time.UnixMilli(int64(v >> 16)) }
