package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"hallway/internal/fleet"
)

// R3: colleagues are killed with SIGKILL at random and restarted a moment
// later while everyone talks in a room and sends direct messages. Nothing
// acknowledged is lost, every database passes integrity_check at every
// restart, nothing is stored twice.
func TestR3KillRestart(t *testing.T) {
	r := scenario(t, "R3", "6 peers, kill -9 a random one every 20 s, restart it 5 s later, 10 min",
		"0 acknowledged messages lost; integrity_check ok on every restart; 0 duplicates")
	peers := pick(4, 6)
	kills := pick(4, 30)
	every := pick(4*time.Second, 20*time.Second)
	down := pick(1500*time.Millisecond, 5*time.Second)
	talkEvery := pick(300*time.Millisecond, time.Second)

	names := []string{"Ann", "Bob", "Cat", "Dan", "Eve", "Fay"}[:peers]
	l := lab(t, peers)
	ds := fleet.Office(t, l, names)
	fleet.Room(t, ds, "crash")
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID()
	}
	var trs []*tracker
	for _, d := range ds {
		trs = append(trs, track(t, d, "#crash"))
	}

	ctx, stop := context.WithCancel(context.Background())
	var c chatter
	wg := c.talk(ctx, ds, "crash", talkEvery)
	var dms dmLog
	dwg := dms.send(ctx, ds, ids, 3*talkEvery)

	for k := range kills {
		<-time.After(every - down)
		victim := ds[rand.IntN(len(ds))]
		victim.Kill()
		if err := victim.IntegrityCheck(context.Background()); err != nil {
			t.Fatalf("kill %d: %s after kill -9: %v", k+1, victim.Name, err)
		}
		<-time.After(down)
		victim.Start()
	}
	stop()
	wg.Wait()
	dwg.Wait()
	all := c.snapshot()
	if _, err := waitAllOf(trs, all, 120*time.Second, time.Now()); err != nil {
		t.Fatal(err)
	}
	r.measure(t, "%d kills; integrity_check ok after each", kills)
	delivered := dms.wait(t, ds, ids, 120*time.Second)
	conv := checkConverged(t, ds, "crash", all)
	r.measure(t, "room: %d acknowledged posts, %s", len(all), conv)
	r.measure(t, "direct messages: %d acknowledged, %d delivered, 0 lost, 0 duplicates", dms.count(), delivered)
}

// dmLog remembers every direct message a daemon acknowledged (Send
// returned, so it is committed to history and outbox).
type dmLog struct {
	mu   sync.Mutex
	sent map[[2]int][]string // (from, to) → ids
}

func (l *dmLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, v := range l.sent {
		n += len(v)
	}
	return n
}

// send has each daemon write to the next one once per every.
func (l *dmLog) send(ctx context.Context, ds []*fleet.Daemon, ids []string, every time.Duration) *sync.WaitGroup {
	l.sent = map[[2]int][]string{}
	var wg sync.WaitGroup
	for i, d := range ds {
		to := (i + 1) % len(ds)
		wg.Go(func() {
			tick := time.NewTicker(every)
			defer tick.Stop()
			for n := 0; ; n++ {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				if !d.Running() {
					continue
				}
				sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				m, err := d.Client().Send(sctx, ids[to], fmt.Sprintf("dm %d from %s", n, d.Name))
				cancel()
				if err == nil {
					l.mu.Lock()
					l.sent[[2]int{i, to}] = append(l.sent[[2]int{i, to}], m.ID)
					l.mu.Unlock()
				}
			}
		})
	}
	return &wg
}

// wait checks that every acknowledged DM reaches its receiver exactly
// once and is marked delivered at the sender.
func (l *dmLog) wait(t *testing.T, ds []*fleet.Daemon, ids []string, timeout time.Duration) (delivered int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for pair, sent := range l.sent {
		from, to := ds[pair[0]], ds[pair[1]]
		want := map[string]bool{}
		for _, id := range sent {
			want[id] = true
		}
		_, err := to.WaitForErr(fmt.Sprintf("DMs from %s", from.Name), timeout, func() bool {
			got := 0
			for _, m := range to.History(ids[pair[0]]) {
				if want[m.ID] {
					got++
				}
			}
			return got == len(want)
		})
		if err != nil {
			t.Fatal(err)
		}
		from.WaitFor("DMs delivered to "+to.Name, timeout, func() bool {
			for _, m := range from.History(ids[pair[1]]) {
				if want[m.ID] && m.State != "delivered" {
					return false
				}
			}
			return true
		})
		seen := map[string]bool{}
		for _, m := range to.History(ids[pair[0]]) {
			if seen[m.ID] {
				t.Fatalf("%s holds DM %s twice", to.Name, m.ID)
			}
			seen[m.ID] = true
		}
		delivered += len(want)
	}
	return delivered
}
