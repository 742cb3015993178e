package chaos

import (
	"context"
	"testing"
	"time"

	"hallway/internal/fleet"
)

// R1: five colleagues talk in one room; two of them are cut off for a
// while and keep talking; after the heal everyone holds everything.
func TestR1PartitionHeal(t *testing.T) {
	r := scenario(t, "R1", "5 peers, 1 room, each sends 1 msg/s for 3 min; at 60 s 2 peers are cut for 60 s, then healed",
		"≤ 30 s after the heal all 5 hold all messages; 0 duplicates; 0 gaps")
	total := pick(14*time.Second, 180*time.Second)
	cutAt := pick(3*time.Second, 60*time.Second)
	cutFor := pick(6*time.Second, 60*time.Second)
	every := pick(250*time.Millisecond, time.Second)

	l := lab(t, 5)
	ds := fleet.Office(t, l, []string{"Ann", "Bob", "Cat", "Dan", "Eve"})
	fleet.Room(t, ds, "ops")
	var trs []*tracker
	for _, d := range ds {
		trs = append(trs, track(t, d, "#ops"))
	}

	ctx, stop := context.WithTimeout(context.Background(), total)
	defer stop()
	var c chatter
	wg := c.talk(ctx, ds, "ops", every)
	start := time.Now()
	<-time.After(cutAt)
	for _, h := range []int{4, 5} {
		if err := l.Cut(h); err != nil {
			t.Fatal(err)
		}
	}
	<-time.After(cutFor)
	for _, h := range []int{4, 5} {
		if err := l.Heal(h); err != nil {
			t.Fatal(err)
		}
	}
	healed := time.Now()
	atHeal := c.snapshot()
	took, err := waitAllOf(trs, atHeal, 120*time.Second, healed)
	if err != nil {
		t.Fatal(err)
	}
	r.measure(t, "all 5 held the %d messages sent before the heal %.1f s after it", len(atHeal), took.Seconds())
	wg.Wait()
	all := c.snapshot()
	if _, err := waitAllOf(trs, all, 120*time.Second, start); err != nil {
		t.Fatal(err)
	}
	conv := checkConverged(t, ds, "ops", all)
	r.measure(t, "%d acknowledged; %s", len(all), conv)
}
