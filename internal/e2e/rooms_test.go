package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hallway/core"
	"hallway/internal/netlab"
)

// roomLog reads a room's whole history at d.
func (d *daemon) roomLog(room string) []core.Message {
	d.t.Helper()
	msgs, err := d.client().History(context.Background(), "#"+room, 0, 1000000)
	if err != nil {
		d.t.Fatalf("%s: history #%s: %v", d.name, room, err)
	}
	return msgs
}

func textIDs(msgs []core.Message) []string {
	var ids []string
	for _, m := range msgs {
		if m.Kind == "text" {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

// checkRoomLog: no duplicates, and per author the sequence numbers run
// 1..n without a hole.
func checkRoomLog(t testing.TB, who string, msgs []core.Message) {
	t.Helper()
	seen := map[string]bool{}
	seqs := map[string][]uint64{}
	for _, m := range msgs {
		if seen[m.ID] {
			t.Fatalf("%s holds %s twice", who, m.ID)
		}
		seen[m.ID] = true
		seqs[m.From] = append(seqs[m.From], m.AuthorSeq)
	}
	for author, s := range seqs {
		slices.Sort(s)
		for i, v := range s {
			if v != uint64(i+1) {
				t.Fatalf("%s: author %s has a gap at %d (holds %d)", who, author[:12], i+1, v)
			}
		}
	}
}

// converge waits until every daemon holds want text messages in the room
// and shows them in one order.
func converge(t *testing.T, ds []*daemon, room string, want int, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for _, d := range ds {
		d.waitFor(fmt.Sprintf("%d messages in #%s", want, room), timeout, func() bool { return len(textIDs(d.roomLog(room))) >= want })
	}
	ref := ds[0].roomLog(room)
	for _, d := range ds {
		got := d.roomLog(room)
		checkRoomLog(t, d.name, got)
		if len(textIDs(got)) != want {
			t.Fatalf("%s holds %d messages, want %d", d.name, len(textIDs(got)), want)
		}
		if !slices.Equal(textIDs(got), textIDs(ref)) {
			t.Fatalf("%s shows #%s in another order than %s", d.name, room, ds[0].name)
		}
	}
	return time.Since(start)
}

// post sends n messages from each daemon, in parallel across daemons.
func post(t *testing.T, ds []*daemon, room string, n int, tag string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(ds))
	for _, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := d.client()
			for i := range n {
				if _, err := c.SendRoom(context.Background(), "#"+room, fmt.Sprintf("%s %s %d", tag, d.name, i)); err != nil {
					errs <- fmt.Errorf("%s: %w", d.name, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestRoomsLAN(t *testing.T) {
	lab := netlab.New(t, 5)
	names := []string{"Ann", "Bob", "Cat", "Dan", "Eve"}
	var ds []*daemon
	for i, n := range names {
		d := newDaemon(t, lab.Host(i+1), n)
		d.start()
		ds = append(ds, d)
	}
	ann := ds[0]
	for _, d := range ds[1:] {
		id := d.self().PeerID
		ann.waitFor(d.name+" online", 15*time.Second, func() bool { return ann.sees(d, id) })
	}
	ann.cli("room", "create", "ops")
	for _, d := range ds[1:] {
		ann.cli("room", "invite", "#ops", d.name)
	}
	for _, d := range ds {
		d.waitFor("5 members in #ops", 15*time.Second, func() bool {
			ms, err := d.client().RoomMembers(context.Background(), "#ops")
			return err == nil && len(ms) == 5
		})
	}
	total := 0

	t.Run("partition and heal (R1 short)", func(t *testing.T) {
		post(t, ds, "ops", 5, "before")
		total += 25
		converge(t, ds, "ops", total, 20*time.Second)
		lab.Cut(4)
		lab.Cut(5)
		post(t, ds, "ops", 10, "during") // every side keeps talking
		total += 50
		lab.Heal(4)
		lab.Heal(5)
		took := converge(t, ds, "ops", total, 30*time.Second)
		t.Logf("all 5 converged %s after the heal", took.Round(time.Millisecond))
	})

	t.Run("away while 1000 messages flow", func(t *testing.T) {
		eve := ds[4]
		eve.stop()
		post(t, ds[:4], "ops", 250, "away")
		total += 1000
		start := time.Now()
		eve.start()
		converge(t, []*daemon{eve, ann}, "ops", total, 60*time.Second)
		t.Logf("Eve caught up on 1000 messages %s after restart", time.Since(start).Round(time.Millisecond))
	})

	t.Run("burst of 5000 loses nothing", func(t *testing.T) {
		start := time.Now()
		post(t, ds[:1], "ops", 5000, strings.Repeat("x", 1000))
		total += 5000
		took := converge(t, ds, "ops", total, 120*time.Second)
		t.Logf("burst of 5000 × 1 KiB at all 5 members %s after the first post (%s converging)",
			time.Since(start).Round(time.Millisecond), took.Round(time.Millisecond))
	})

	t.Run("general reaches everyone", func(t *testing.T) {
		ds[2].cli("send", "#general", "coffee is ready")
		for _, d := range ds {
			d.waitFor("#general message", 15*time.Second, func() bool {
				for _, m := range d.roomLog("general") {
					if m.Text == "coffee is ready" {
						return true
					}
				}
				return false
			})
		}
		out := ann.cli("room", "list")
		if !strings.Contains(out, "open LAN") {
			t.Fatalf("an open workspace's #general must say it is readable by anyone: %q", out)
		}
	})
}
