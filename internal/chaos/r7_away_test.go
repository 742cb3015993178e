package chaos

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"hallway/internal/fleet"
)

// R7: a colleague is away while thousands of room messages flow, then
// comes back and catches up from whoever is online.
func TestR7AwayCatchUp(t *testing.T) {
	r := scenario(t, "R7", "a peer away while 3,600 room messages flow, then back", "caught up ≤ 60 s")
	n := pick(600, 3600)

	l := lab(t, 3)
	ds := fleet.Office(t, l, []string{"Ann", "Bob", "Cat"})
	fleet.Room(t, ds, "news")
	cat := ds[2]
	cat.Stop()

	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	for _, d := range ds[:2] {
		wg.Go(func() {
			c := d.Client()
			for i := range n / 2 {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				m, err := c.SendRoom(ctx, "#news", fmt.Sprintf("%s while Cat is away %d", d.Name, i))
				cancel()
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				ids = append(ids, m.ID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	start := time.Now()
	cat.Start()
	tr := track(t, cat, "#news")
	took, err := waitAllOf([]*tracker{tr}, ids, 180*time.Second, start)
	if err != nil {
		t.Fatal(err)
	}
	r.measure(t, "caught up on %d messages %.1f s after its restart", len(ids), took.Seconds())
	// Ann's and Bob's bursts are past the gossip quota; what it held back
	// reaches the other by catch-up sync. Converged means all three hold all.
	if _, err := waitAllOf([]*tracker{track(t, ds[0], "#news"), track(t, ds[1], "#news")}, ids, 180*time.Second, start); err != nil {
		t.Fatal(err)
	}
	conv := checkConverged(t, ds, "news", ids)
	r.measure(t, "%s", conv)
}
