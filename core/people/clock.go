package people

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// wallClock is the clock profile pushes carry. A build for tests may move
// it (clock_skew.go), to play a colleague whose computer's time is wrong.
var wallClock = time.Now

// ClockSkewWarn is how far a colleague's clock may differ from ours before
// hallway doctor says so: expiries, sign-offs and the order of messages
// by time go wrong beyond it.
const ClockSkewWarn = 2 * time.Minute

// maxClockSkews bounds the colleagues whose clock difference is kept.
const maxClockSkews = 4096

// clockSkews keeps, per colleague, how far its clock was ahead of ours at
// its last profile push (negative: behind), give or take the push's
// transit time.
type clockSkews struct {
	mu   sync.Mutex
	skew map[peer.ID]time.Duration
}

// note records the clock a push from id carried; 0 carries none.
func (c *clockSkews) note(id peer.ID, clockMs int64) {
	if clockMs <= 0 {
		return
	}
	d := time.UnixMilli(clockMs).Sub(time.Now())
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.skew == nil {
		c.skew = map[peer.ID]time.Duration{}
	}
	if _, ok := c.skew[id]; !ok && len(c.skew) >= maxClockSkews {
		return
	}
	c.skew[id] = d
}

// ClockSkew is how far id's clock is ahead of ours (negative: behind),
// when a push told us.
func (p *Presence) ClockSkew(id peer.ID) (time.Duration, bool) {
	p.clocks.mu.Lock()
	defer p.clocks.mu.Unlock()
	d, ok := p.clocks.skew[id]
	return d, ok
}
