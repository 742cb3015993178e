package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"
)

// stopAll stops the nodes, a few at a time, and says how many did not
// stop within 30 s each.
func stopAll(nodes []*officeNode) int {
	var mu sync.Mutex
	stuck := 0
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, nd := range nodes {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			nd.cancel()
			if !nd.running {
				nd.svc.Close()
				return
			}
			select {
			case <-nd.done:
			case <-time.After(30 * time.Second):
				mu.Lock()
				stuck++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return stuck
}

// onlineShortfall says how far the office got: how many list everyone,
// and the fewest colleagues one lists online.
func onlineShortfall(nodes []*officeNode) string {
	complete, fewest := 0, len(nodes)
	for _, nd := range nodes {
		c := nd.w.onlineCount()
		if c >= len(nodes)-1 {
			complete++
		}
		fewest = min(fewest, c)
	}
	// Why the pairs that are missing are: never connected, or connected
	// with no profile (no name) yet.
	unconnected, nameless := 0, 0
	for _, nd := range nodes {
		for _, other := range nodes {
			if other == nd {
				continue
			}
			c := nd.svc.colleague(context.Background(), other.svc.ID())
			switch {
			case !c.Online:
				unconnected++
			case c.Name == "" || c.Name != nd.w.roster.name(c.PeerID):
				nameless++
			}
		}
	}
	return fmt.Sprintf("%d of %d colleagues list everyone online; the fewest one lists is %d of %d; of the pairs, %d are not connected, %d connected without the colleague's profile",
		complete, len(nodes), fewest, len(nodes)-1, unconnected, nameless)
}

// everyNode waits until cond holds on every node, re-checking a node after
// each of its events, within d in all.
func everyNode(ctx context.Context, nodes []*officeNode, d time.Duration, cond func(*officeNode) bool) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	for i, nd := range nodes {
		events := nd.svc.Subscribe(ctx)
		for !cond(nd) {
			select {
			case _, ok := <-events:
				if !ok {
					return fmt.Errorf("colleague %d: events ended (%v)", i+1, ctx.Err())
				}
			case <-ctx.Done():
				return fmt.Errorf("colleague %d: %w", i+1, ctx.Err())
			}
		}
	}
	return nil
}

// settledMemory collects garbage, returns what it can to the OS, and reads
// the heap in use and the process's resident set.
func settledMemory() (heap, rss uint64) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse, residentBytes()
}

// settleCounts waits up to 15 s for goroutines and open files to drop back
// to base and returns what is left above it.
func settleCounts(baseGoroutines, baseFDs int) (goroutines, fds int) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	end := time.After(15 * time.Second)
	for {
		goroutines, fds = runtime.NumGoroutine()-baseGoroutines, openFDs()-baseFDs
		if goroutines <= 0 && fds <= 0 {
			return
		}
		select {
		case <-tick.C:
		case <-end:
			return
		}
	}
}

// officeProfile creates HALLWAY_BENCH_PROFILE-N<n>-<what>, or returns
// nil when that is not set.
func officeProfile(n int, what string) (*os.File, error) {
	p := os.Getenv("HALLWAY_BENCH_PROFILE")
	if p == "" {
		return nil, nil
	}
	f, err := os.Create(filepath.Clean(p + "-N" + strconv.Itoa(n) + "-" + what))
	if err != nil {
		return nil, fmt.Errorf("%s profile: %w", what, err)
	}
	return f, nil
}

// profileOffice starts a CPU profile of one phase of the office into its
// officeProfile file, and returns what stops it (nil when not profiling).
func profileOffice(n int, phase string) (func(), error) {
	f, err := officeProfile(n, phase)
	if f == nil || err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s profile: %w", phase, err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// dumpGoroutines writes where every goroutine waits, counted by stack,
// into the officeProfile file "goroutines".
func dumpGoroutines(n int) error {
	f, err := officeProfile(n, "goroutines")
	if f == nil || err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.Lookup("goroutine").WriteTo(f, 1); err != nil {
		return fmt.Errorf("goroutine dump: %w", err)
	}
	return nil
}
