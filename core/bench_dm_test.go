package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"testing"
	"time"

	"hallway/chat"
)

// TestBenchDMInProcess measures a direct message between two nodes in one
// process on loopback, from Send to the receiver's announcement that it
// stored it: the DM path without the control API or another process in
// between (make bench). HALLWAY_BENCH_PROFILE names a CPU profile to write.
func TestBenchDMInProcess(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
	ann := startNode(t, t.TempDir(), "Ann")
	bob := startNode(t, t.TempDir(), "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	bob.waitOnline(ann, "Ann")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan time.Time, 16)
	ev := bob.Subscribe(ctx)
	go func() {
		for e := range ev {
			if m, ok := e.(chat.MessageReceived); ok && m.Message.Kind == "text" {
				got <- time.Now()
			}
		}
	}()
	if p := os.Getenv("HALLWAY_BENCH_PROFILE"); p != "" {
		f, err := os.Create(filepath.Clean(p))
		if err != nil {
			t.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	var lat []time.Duration
	for i := range 310 {
		start := time.Now()
		if _, err := ann.Send(ctx, bob.ID().String(), "probe "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		select {
		case at := <-got:
			if i >= 10 {
				lat = append(lat, at.Sub(start))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("message %d not received", i)
		}
	}
	slices.Sort(lat)
	fmt.Printf("BENCH DM in one process on loopback (Send → stored and announced at the receiver, %d msgs): p50 %s  p99 %s  min %s\n",
		len(lat), lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond), lat[0].Round(time.Microsecond))
}
