package e2e

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"hallway/chat"
	"hallway/control"
	"hallway/internal/fleet"
)

// byID follows message_received events (of any kind) on every daemon but
// the first and tells, per message id, when the last member got it.
type byIDArrivals struct {
	mu     sync.Mutex
	need   int
	got    map[string]int
	last   map[string]time.Time
	change chan struct{}
	cancel context.CancelFunc
}

func watchByID(t *testing.T, ds []*fleet.Daemon) *byIDArrivals {
	ctx, cancel := context.WithCancel(context.Background())
	a := &byIDArrivals{need: len(ds) - 1, got: map[string]int{}, last: map[string]time.Time{}, change: make(chan struct{}, 1), cancel: cancel}
	for _, d := range ds[1:] {
		ready := make(chan struct{})
		go d.Client().Events(ctx, func() { close(ready) }, func(e control.WireEvent) bool {
			if e.Type != "message_received" || e.Message == nil {
				return true
			}
			a.mu.Lock()
			a.got[e.Message.ID]++
			a.last[e.Message.ID] = time.Now()
			a.mu.Unlock()
			select {
			case a.change <- struct{}{}:
			default:
			}
			return true
		})
		select {
		case <-ready:
		case <-time.After(10 * time.Second):
			t.Fatal("no event stream")
		}
	}
	return a
}

// wait returns when every member got id, and when the last did.
func (a *byIDArrivals) wait(t *testing.T, id string) time.Time {
	deadline := time.After(20 * time.Second)
	for {
		a.mu.Lock()
		n, at := a.got[id], a.last[id]
		a.mu.Unlock()
		if n >= a.need {
			return at
		}
		select {
		case <-a.change:
		case <-deadline:
			t.Fatalf("%s reached %d of %d members", id, n, a.need)
		}
	}
}

// sendEvery spaces the benchmark's posts below the room post quota
// (p2p.RoomPostQuota: 8 a second per author, of which a node keeps 90%
// for itself): faster, each post would wait for the quota, and the figure
// would measure that pacing instead of the network.
const sendEvery = 150 * time.Millisecond

// TestBenchAmendPropagation: a reaction and an edit reach the last of 10
// members about as fast as a plain message, measured in the same run.
func TestBenchAmendPropagation(t *testing.T) {
	benchOnly(t)
	const n, runs, warm = 10, 120, 20
	ds := officeRoom(t, n)
	a := watchByID(t, ds)
	defer a.cancel()
	c := ds[0].Client()
	ctx := context.Background()
	tick := time.NewTicker(sendEvery)
	defer tick.Stop()
	measure := func(send func(i int) (chat.Message, error)) []time.Duration {
		var lat []time.Duration
		for i := range runs + warm {
			<-tick.C
			start := time.Now()
			m, err := send(i)
			if err != nil {
				t.Fatal(err)
			}
			last := a.wait(t, m.ID)
			if i >= warm {
				lat = append(lat, last.Sub(start))
			}
		}
		return lat
	}
	plain := measure(func(i int) (chat.Message, error) { return c.SendRoom(ctx, "#bench", "plain "+strconv.Itoa(i)) })
	target, err := c.SendRoom(ctx, "#bench", "the message everyone reacts to")
	if err != nil {
		t.Fatal(err)
	}
	a.wait(t, target.ID)
	emoji := []string{"👍", "🎉", "👀", "✅", "🚀", "🔥", "💯", "🙏"}
	react := measure(func(i int) (chat.Message, error) { return c.Amend(ctx, chat.KindReact, target.ID, emoji[i%len(emoji)]) })
	edit := measure(func(i int) (chat.Message, error) {
		return c.Amend(ctx, chat.KindEdit, target.ID, "edited "+strconv.Itoa(i))
	})
	p, r, e := summarize(plain), summarize(react), summarize(edit)
	fmt.Printf("BENCH room message to the last of %d members (one every %s, under the post quota): %s\n", n-1, sendEvery, p)
	fmt.Printf("BENCH reaction to the last of %d members: %s (p50 %.2fx, p99 %.2fx a plain message)\n", n-1, r,
		float64(r.p50)/float64(p.p50), float64(r.p99)/float64(p.p99))
	fmt.Printf("BENCH edit to the last of %d members: %s (p50 %.2fx, p99 %.2fx a plain message)\n", n-1, e,
		float64(e.p50)/float64(p.p50), float64(e.p99)/float64(p.p99))
	// Every member shows the same fold.
	final := ds[0].History("#bench")
	var want chat.Message
	for _, m := range final {
		if m.ID == target.ID {
			want = m
		}
	}
	for _, d := range ds[1:] {
		for _, m := range d.History("#bench") {
			if m.ID == target.ID && (m.Text != want.Text || len(m.Reactions) != len(want.Reactions) || len(m.Versions) != len(want.Versions)) {
				t.Errorf("%s shows %q with %d reactions, %d versions; %s shows %q, %d, %d", d.Name, m.Text, len(m.Reactions), len(m.Versions),
					ds[0].Name, want.Text, len(want.Reactions), len(want.Versions))
			}
		}
	}
}
