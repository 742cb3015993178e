package core

import (
	"testing"
	"time"
)

func TestHLC(t *testing.T) {
	wall := time.UnixMilli(1_763_000_000_000)
	c := newHLC(0)
	c.now = func() time.Time { return wall }
	a := c.Now()
	b := c.Now()
	if b <= a || hlcTime(a) != wall {
		t.Fatalf("not monotonic within one millisecond: %d %d", a, b)
	}
	wall = wall.Add(-time.Hour) // the wall clock jumps back
	if d := c.Now(); d <= b {
		t.Fatalf("clock went backwards: %d <= %d", d, b)
	}
	ahead := wallHLC(wall.Add(30 * time.Second))
	c.Observe(ahead)
	if e := c.Now(); e <= ahead {
		t.Fatal("a reply must sort after a message from a slightly faster clock")
	}
	far := wallHLC(wall.Add(365 * 24 * time.Hour))
	c.Observe(far)
	if f := c.Now(); f >= far {
		t.Fatal("an implausible clock must not drag ours along")
	}
}
