package e2e

import (
	"context"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"hallway/chat"
	"hallway/control"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// stallFor is how long Bob's Hallway is stopped: longer than a keep-alive
// ping's old allowance (2 s idle, then 4 s for the answer), shorter than
// the present one (2 s, then 8 s).
const stallFor = 6500 * time.Millisecond

// A colleague's Hallway that stops answering for a few seconds (a machine
// swapping, a laptop busy waking up, a process the debugger holds) keeps
// its connections: neither side lists the other offline meanwhile, and a
// message goes through at once afterwards. A colleague that vanishes for
// good still goes offline within seconds (TestOfficeLAN).
func TestAStalledColleagueStaysOnline(t *testing.T) {
	lab := netlab.New(t, 2)
	ds := fleet.Office(t, lab, []string{"Ann", "Bob"})
	ann, bob := ds[0], ds[1]
	annID, bobID := ann.ID(), bob.ID()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var dropped atomic.Int32
	follow := func(d *fleet.Daemon, other string) {
		ready, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			d.Client().Events(ctx, func() { close(ready) }, func(ev control.WireEvent) bool {
				if ev.Type == (chat.PeerOffline{}).EventType() && ev.Peer != nil && ev.Peer.PeerID == other {
					dropped.Add(1)
				}
				return true
			})
		}()
		t.Cleanup(func() { cancel(); <-done })
		select {
		case <-ready:
		case <-done:
			t.Fatalf("%s: no event stream", d.Name)
		}
	}
	follow(ann, bobID)
	follow(bob, annID)

	pid := bob.Pid()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stalled := time.NewTimer(stallFor)
	<-stalled.C
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	m := fleet.Decode[chat.Message](t, ann.CLI("send", "Bob", "still there?", "--wait", "--json"))
	if m.State != "delivered" {
		t.Fatalf("after the stall Ann's message is %s", m.State)
	}
	reply := fleet.Decode[chat.Message](t, bob.CLI("send", "Ann", "yes", "--wait", "--json"))
	if reply.State != "delivered" {
		t.Fatalf("after the stall Bob's message is %s", reply.State)
	}
	if n := dropped.Load(); n != 0 {
		t.Fatalf("a stall of %v dropped the two %d times", stallFor, n)
	}
	if !ann.Online(bobID) || !bob.Online(annID) {
		t.Fatal("after the stall they do not list each other online")
	}
}
