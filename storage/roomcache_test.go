package storage

import (
	"fmt"
	"testing"
)

// The cache holds at most maxCachedCost, starting over past it, keeps
// nothing heavier than that, and nothing read at an older version.
func TestRoomCacheStaysWithinItsCost(t *testing.T) {
	var c roomCache[int]
	const each = maxCachedCost / 4
	for i := range 4 {
		c.put(fmt.Sprint("r", i), i, 1, each)
	}
	for i := range 4 {
		if v, ok := c.get(fmt.Sprint("r", i), 1); !ok || v != i {
			t.Fatalf("room r%d: %d, %v; want %d kept", i, v, ok, i)
		}
	}
	c.put("r4", 4, 1, each)
	if _, ok := c.get("r0", 1); ok || c.cost != each {
		t.Fatalf("past its cost the cache still holds r0 (cost %d)", c.cost)
	}
	if v, ok := c.get("r4", 1); !ok || v != 4 {
		t.Fatal("the room put past the cost is not kept")
	}
	c.put("huge", 5, 1, maxCachedCost+1)
	if _, ok := c.get("huge", 1); ok {
		t.Fatal("a value heavier than the whole cache is kept")
	}
	c.put("r5", 5, 0, 1)
	if _, ok := c.get("r5", 0); ok {
		t.Fatal("a value read before the last write is kept")
	}
	if _, ok := c.get("r4", 2); ok {
		t.Fatal("a value is served at a newer version than it was read at")
	}
}

// has reports whether c holds room at version n.
func has[T any](c *roomCache[T], room string, n uint64) bool {
	_, ok := c.get(room, n)
	return ok
}
