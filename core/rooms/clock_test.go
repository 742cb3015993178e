package rooms

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	wall := time.UnixMilli(1_763_000_000_000)
	c := NewClock(0)
	c.now = func() time.Time { return wall }
	a := c.Now()
	b := c.Now()
	if b <= a || clockTime(a) != wall {
		t.Fatalf("not monotonic within one millisecond: %d %d", a, b)
	}
	wall = wall.Add(-time.Hour) // the wall clock jumps back
	if d := c.Now(); d <= b {
		t.Fatalf("clock went backwards: %d <= %d", d, b)
	}
	ahead := wallClock(wall.Add(30 * time.Second))
	c.Observe(ahead)
	if e := c.Now(); e <= ahead {
		t.Fatal("a reply must sort after a message from a slightly faster clock")
	}
	far := wallClock(wall.Add(365 * 24 * time.Hour))
	c.Observe(far)
	if f := c.Now(); f >= far {
		t.Fatal("an implausible clock must not drag ours along")
	}
}

func TestClockStartsPastHistory(t *testing.T) {
	wall := time.UnixMilli(1_763_000_000_000)
	last := wallClock(wall.Add(10 * time.Second)) // written before the clock was set back
	c := newClockAt(last, func() time.Time { return wall })
	if v := c.Now(); v <= last {
		t.Fatalf("a restart reused a clock value: %d <= %d", v, last)
	}
}

// History holding a clock a year ahead (stored before envelopes were
// placed at their arrival, or while this machine's clock ran ahead) does
// not drag the clock there at start.
func TestClockIgnoresAFutureHistory(t *testing.T) {
	wall := time.UnixMilli(1_763_000_000_000)
	far := wallClock(wall.AddDate(1, 0, 0))
	c := newClockAt(far, func() time.Time { return wall })
	if v := c.Now(); v >= far || v > wallClock(wall.Add(maxClockSkew))+1 {
		t.Fatalf("the clock started at %s, dragged by history", clockTime(v))
	}
	if c.Plausible(far) || !c.Plausible(wallClock(wall.Add(maxClockSkew))) {
		t.Fatal("plausible means at most maxClockSkew ahead")
	}
}

func TestClockMonotonicUnderSkew(t *testing.T) {
	wall := time.UnixMilli(1_763_000_000_000)
	c := NewClock(0)
	c.now = func() time.Time { return wall }
	// Colleagues' clocks around ours, some implausible, and our own clock
	// drifting back and forth: no value is ever returned twice or lower.
	skews := []time.Duration{-2 * time.Hour, 59 * time.Second, 61 * time.Second, -time.Millisecond, 24 * time.Hour, 0, 30 * time.Second}
	drift := []time.Duration{0, -5 * time.Second, 3 * time.Millisecond, -time.Hour, 2 * time.Second}
	// No value may pass the highest plausible clock seen so far by more
	// than one tick per value returned.
	var prev, ceiling uint64
	for i := range 200 {
		wall = wall.Add(drift[i%len(drift)])
		ceiling = max(ceiling, wallClock(wall.Add(maxClockSkew)))
		c.Observe(wallClock(wall.Add(skews[i%len(skews)])))
		v := c.Now()
		if v <= prev {
			t.Fatalf("step %d: %d after %d", i, v, prev)
		}
		if v > ceiling+uint64(i+1) {
			t.Fatalf("step %d: an implausible clock dragged ours to %s", i, clockTime(v))
		}
		prev = v
	}
}
