package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"hallway/core"
	"hallway/internal/fleet"
)

// R2: a flapping link: every few seconds one random host is cut or
// healed while everyone talks. Afterwards the room converges and each
// daemon's goroutines and live heap come back to what they were.
func TestR2FlappingLink(t *testing.T) {
	r := scenario(t, "R2", "a flapping link: one random host cut/healed every 5 s for 2 min",
		"converged ≤ 30 s after the last flap; goroutines and memory back to baseline")
	total := pick(20*time.Second, 120*time.Second)
	flap := pick(2*time.Second, 5*time.Second)
	every := pick(300*time.Millisecond, time.Second)

	l := lab(t, 4)
	ds := fleet.Office(t, l, []string{"Ann", "Bob", "Cat", "Dan"})
	fleet.Room(t, ds, "flap")
	var trs []*tracker
	for _, d := range ds {
		trs = append(trs, track(t, d, "#flap"))
	}
	base := baselineStats(t, ds)

	ctx, stop := context.WithTimeout(context.Background(), total)
	defer stop()
	var c chatter
	wg := c.talk(ctx, ds, "flap", every)
	cut := 0 // the host currently unplugged, 0 for none
	flaps := 0
	tick := time.NewTicker(flap)
	defer tick.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
		}
		if cut != 0 {
			if err := l.Heal(cut); err != nil {
				t.Fatal(err)
			}
			cut = 0
		} else {
			cut = 1 + rand.IntN(len(ds))
			if err := l.Cut(cut); err != nil {
				t.Fatal(err)
			}
		}
		flaps++
	}
	if cut != 0 {
		if err := l.Heal(cut); err != nil {
			t.Fatal(err)
		}
	}
	last := time.Now()
	wg.Wait()
	all := c.snapshot()
	took, err := waitAllOf(trs, all, 120*time.Second, last)
	if err != nil {
		t.Fatal(err)
	}
	r.measure(t, "%d flaps; all 4 held all %d messages %.1f s after the last one", flaps, len(all), took.Seconds())
	after := settledStats(t, ds, base)
	for i, d := range ds {
		r.measure(t, "%s goroutines %d → %d, live heap %.1f → %.1f MiB", d.Name,
			base[i].Goroutines, after[i].Goroutines, mib(base[i].HeapBytes), mib(after[i].HeapBytes))
	}
	conv := checkConverged(t, ds, "flap", all)
	r.measure(t, "%s", conv)
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// Margins for "back to baseline": a few goroutines come and go with
// timers and streams in flight, and the heap holds more history.
const (
	goroutineSlack = 30
	heapSlack      = 24 << 20
)

// baselineStats reads each daemon's counters a few times while it idles
// and keeps the quietest reading.
func baselineStats(t *testing.T, ds []*fleet.Daemon) []core.Stats {
	t.Helper()
	out := make([]core.Stats, len(ds))
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for k := range 6 {
		for i, d := range ds {
			if st := d.Stats(); k == 0 || st.Goroutines < out[i].Goroutines {
				out[i] = st
			}
		}
		<-tick.C
	}
	return out
}

// settledStats waits until every daemon's goroutines and live heap are
// back within the margins of base and returns the readings. It fails the
// test if they never get there.
func settledStats(t *testing.T, ds []*fleet.Daemon, base []core.Stats) []core.Stats {
	t.Helper()
	out := make([]core.Stats, len(ds))
	deadline := time.Now().Add(60 * time.Second)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for i, d := range ds {
		for {
			st := d.Stats()
			out[i] = st
			if st.Goroutines <= base[i].Goroutines+goroutineSlack && st.HeapBytes <= 2*base[i].HeapBytes+heapSlack {
				break
			}
			if time.Now().After(deadline) {
				if os.Getenv("HALLWAY_CHAOS_DUMP") != "" {
					d.Quit()
					os.WriteFile("/tmp/chaos-dump-"+d.Name, d.Log(), 0o644)
				}
				t.Fatalf("%s did not settle: %s", d.Name, describe(st, base, i))
			}
			<-tick.C
		}
	}
	return out
}

func describe(st core.Stats, base []core.Stats, i int) string {
	s := fmt.Sprintf("%d goroutines, live heap %.1f MiB, %d conns, %d streams", st.Goroutines, mib(st.HeapBytes), st.Conns, st.Streams)
	if base != nil {
		s += fmt.Sprintf(" (baseline %d goroutines, %.1f MiB)", base[i].Goroutines, mib(base[i].HeapBytes))
	}
	return s
}
