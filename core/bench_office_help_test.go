package core

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
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
// the fewest colleagues one lists online (as its events told, and as its
// service says now), why the pairs missing are, how many connections
// the nodes hold, and how long a fresh dial takes now (probeDials).
func onlineShortfall(nodes []*officeNode) string {
	complete, fewest, low := 0, len(nodes), 0
	for i, nd := range nodes {
		c := nd.w.onlineCount()
		if c >= len(nodes)-1 {
			complete++
		}
		if c < fewest {
			fewest, low = c, i
		}
	}
	// Why the pairs that are missing are: never connected, or connected
	// with no profile (no name) yet.
	unconnected, nameless, lowOnline := 0, 0, 0
	for i, nd := range nodes {
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
			if i == low && c.Online {
				lowOnline++
			}
		}
	}
	spread := connSpread(nodes)
	return fmt.Sprintf("%d of %d colleagues list everyone online; the fewest one lists is %d of %d (N%d, %s; its service lists %d online); of the pairs, %d are not connected, %d connected without the colleague's profile; nodes by connections held: %s; %s",
		complete, len(nodes), fewest, len(nodes)-1, low, nodes[low].state(), lowOnline, unconnected, nameless, spread, probeDials(nodes))
}

// probeDials takes the node with the fewest connections and dials, with
// 30 s to spare, from it to a colleague it is not connected to (its
// inviter if it can) and from a colleague to it, and says how each went.
func probeDials(nodes []*officeNode) string {
	iso, fewest := 0, len(nodes)
	for i, nd := range nodes {
		if c := len(nd.svc.node.ConnectedPeers()); c < fewest {
			iso, fewest = i, c
		}
	}
	dial := func(from, to int) string {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		h := nodes[from].svc.node.Host()
		ai := peer.AddrInfo{ID: nodes[to].svc.ID(), Addrs: nodes[to].svc.node.Host().Addrs()}
		t0 := time.Now()
		err := h.Connect(network.WithForceDirectDial(ctx, "probe"), ai)
		return fmt.Sprintf("N%d to N%d: %v after %s", from, to, err, time.Since(t0).Round(time.Millisecond))
	}
	var out []string
	for _, to := range []int{nodes[iso].inviter, (iso + 1) % len(nodes), (iso + 2) % len(nodes)} {
		if to >= 0 && !nodes[iso].svc.node.IsConnected(nodes[to].svc.ID()) {
			out = append(out, dial(iso, to))
			break
		}
	}
	for _, from := range []int{(iso + 3) % len(nodes), (iso + 4) % len(nodes)} {
		if !nodes[iso].svc.node.IsConnected(nodes[from].svc.ID()) {
			out = append(out, dial(from, iso))
			break
		}
	}
	return fmt.Sprintf("a fresh dial with the node holding fewest connections (N%d, %d): %s", iso, fewest, strings.Join(out, "; "))
}

// connSpread is how many nodes hold how many connections, in tens.
func connSpread(nodes []*officeNode) string {
	held := make([]int, len(nodes))
	for i, nd := range nodes {
		held[i] = len(nd.svc.node.ConnectedPeers())
	}
	return spreadInTens(held)
}

// spreadInTens says how many of counts fall in each ten ("0-9: 3, 20-29: 1").
func spreadInTens(counts []int) string {
	tens, top := map[int]int{}, 0
	for _, c := range counts {
		tens[c/10]++
		top = max(top, c/10)
	}
	var out []string
	for k := range top + 1 {
		if tens[k] > 0 {
			out = append(out, fmt.Sprintf("%d-%d: %d", 10*k, 10*k+9, tens[k]))
		}
	}
	return strings.Join(out, ", ")
}

// officeInviters is the colleague each colleague of an office of n knows
// at first (-1: none, the first), drawn the same every run so that runs
// compare, in one process or several.
func officeInviters(n int) []int {
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	out := make([]int, n)
	for i := range n {
		out[i] = -1
		if i > 0 {
			out[i] = rng.IntN(i)
		}
	}
	return out
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
// officeProfile file, and returns what stops it (nil when not profiling)
// and writes, into the file phase-allocs, what the process allocated
// from its start to the end of the phase (go tool pprof -sample_index
// alloc_space).
func profileOffice(n int, phase string) (func(), error) {
	f, err := officeProfile(n, phase)
	if f == nil || err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s profile: %w", phase, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		if a, err := officeProfile(n, phase+"-allocs"); err == nil {
			pprof.Lookup("allocs").WriteTo(a, 0)
			a.Close()
		}
	}, nil
}

// dumpGoroutines writes where every goroutine waits, counted by stack,
// into the officeProfile file what.
func dumpGoroutines(n int, what string) error {
	f, err := officeProfile(n, what)
	if f == nil || err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.Lookup("goroutine").WriteTo(f, 1); err != nil {
		return fmt.Errorf("goroutine dump: %w", err)
	}
	return nil
}

// postLatencies says the p50 and p99 of the posts timed so far.
func postLatencies(lat []time.Duration) string {
	if len(lat) == 0 {
		return "none timed"
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	return fmt.Sprintf("p50 %s p99 %s (%d posts)", s[len(s)/2].Round(time.Millisecond), s[len(s)*99/100].Round(time.Millisecond), len(s))
}

// postTimes gathers how long each post took to reach the last colleague,
// the first warm left out, and names the posts that took over a second
// and who had them last.
type postTimes struct {
	warm int
	lat  []time.Duration
	slow []string
}

func (p *postTimes) add(i int, took time.Duration, who string) {
	if i >= p.warm {
		p.lat = append(p.lat, took)
	}
	if took > time.Second {
		p.slow = append(p.slow, fmt.Sprintf("%d (%s, last %s)", i, took.Round(time.Millisecond), who))
	}
}

// String is what has been measured so far.
func (p *postTimes) String() string {
	if len(p.slow) == 0 {
		return postLatencies(p.lat)
	}
	return fmt.Sprintf("%s; over a second: %s", postLatencies(p.lat), strings.Join(p.slow, ", "))
}

// fanOut posts to #general 150 ms apart at least (the room quota is 8 a
// second per author) and times each post until the last colleague has it.
func fanOut(ctx context.Context, author *officeNode, room string, n int, got <-chan postSeen) (string, error) {
	const total = 100
	times := &postTimes{warm: 10}
	sofar := times.String
	for i := range total {
		began := time.Now()
		if _, err := author.svc.SendRoom(ctx, room, "probe "+strconv.Itoa(i)); err != nil {
			return "", fmt.Errorf("post %d after %s: %w; before it: %s", i, time.Since(began).Round(time.Millisecond), err, sofar())
		}
		var last postSeen
		for k := range n - 1 {
			select {
			case last = <-got:
			case <-time.After(30 * time.Second):
				return "", fmt.Errorf("post %d reached %d of %d colleagues in 30 s; before it: %s", i, k, n-1, sofar())
			}
		}
		times.add(i, last.at.Sub(began), last.who)
		if rest := 150*time.Millisecond - time.Since(began); rest > 0 {
			time.Sleep(rest) // pacing under the quota, not waiting for a state
		}
	}
	return sofar(), nil
}

// presenceChanges has the last colleague to join go away and come back a
// few times, and times each change until every other lists it.
func presenceChanges(ctx context.Context, nodes []*officeNode) (string, error) {
	target := nodes[len(nodes)-1]
	id := target.svc.ID().String()
	var lat []time.Duration
	for i, status := range []string{chat.StatusAway, chat.StatusAvailable, chat.StatusAway, chat.StatusAvailable, chat.StatusAway} {
		cd := newCountdown(len(nodes) - 1)
		for _, nd := range nodes[:len(nodes)-1] {
			nd.w.await(&expectation{peer: id, status: status, cd: cd})
		}
		began := time.Now()
		if err := target.svc.SetStatus(ctx, status, ""); err != nil {
			return "", fmt.Errorf("presence change %d: %w", i, err)
		}
		select {
		case <-cd.done:
			lat = append(lat, time.Since(began))
		case <-time.After(time.Minute):
			return "", fmt.Errorf("presence %q reached %d of %d colleagues in a minute", status, int64(len(nodes)-1)-cd.left.Load(), len(nodes)-1)
		}
	}
	slices.Sort(lat)
	return fmt.Sprintf("p50 %s max %s (%d changes)", lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), len(lat)), nil
}
