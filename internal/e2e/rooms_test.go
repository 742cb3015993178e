package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

func textIDs(msgs []chat.Message) []string {
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
func checkRoomLog(t testing.TB, who string, msgs []chat.Message) {
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
func converge(t *testing.T, ds []*fleet.Daemon, room string, want int, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for _, d := range ds {
		d.WaitFor(fmt.Sprintf("%d messages in #%s", want, room), timeout, func() bool { return len(textIDs(d.History("#"+room))) >= want })
	}
	ref := ds[0].History("#" + room)
	for _, d := range ds {
		got := d.History("#" + room)
		checkRoomLog(t, d.Name, got)
		if len(textIDs(got)) != want {
			t.Fatalf("%s holds %d messages, want %d", d.Name, len(textIDs(got)), want)
		}
		if !slices.Equal(textIDs(got), textIDs(ref)) {
			t.Fatalf("%s shows #%s in another order than %s", d.Name, room, ds[0].Name)
		}
	}
	return time.Since(start)
}

// post sends n messages from each daemon, in parallel across daemons.
func post(t *testing.T, ds []*fleet.Daemon, room string, n int, tag string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(ds))
	for _, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := d.Client()
			for i := range n {
				if _, err := c.SendRoom(context.Background(), "#"+room, fmt.Sprintf("%s %s %d", tag, d.Name, i)); err != nil {
					errs <- fmt.Errorf("%s: %w", d.Name, err)
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
	var ds []*fleet.Daemon
	for i, n := range names {
		d := fleet.New(t, lab.Host(i+1), n)
		d.Start()
		ds = append(ds, d)
	}
	ann := ds[0]
	for _, d := range ds[1:] {
		id := d.Self().PeerID
		ann.WaitFor(d.Name+" online", 15*time.Second, func() bool { return ann.Sees(id, d.Name) })
	}
	ann.CLI("room", "create", "ops")
	for _, d := range ds[1:] {
		ann.CLI("room", "invite", "#ops", d.Name)
	}
	annID := ann.Self().PeerID
	for _, d := range ds[1:] {
		d.AcceptInvitation("ops", annID, 15*time.Second)
	}
	for _, d := range ds {
		d.WaitFor("5 members in #ops", 15*time.Second, func() bool { return d.Members("#ops") == 5 })
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
		eve.Stop()
		post(t, ds[:4], "ops", 250, "away")
		total += 1000
		start := time.Now()
		eve.Start()
		converge(t, []*fleet.Daemon{eve, ann}, "ops", total, 60*time.Second)
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
		ds[2].CLI("send", "#general", "coffee is ready")
		for _, d := range ds {
			d.WaitFor("#general message", 15*time.Second, func() bool {
				for _, m := range d.History("#general") {
					if m.Text == "coffee is ready" {
						return true
					}
				}
				return false
			})
		}
		out := ann.CLI("room", "list")
		if !strings.Contains(out, "visible to every network this computer joins") {
			t.Fatalf("an open workspace's #general must say it is readable by anyone: %q", out)
		}
	})
}
