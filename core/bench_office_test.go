package core

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"testing"
	"time"

	"hallway/internal/benchenv"
)

// TestBenchOffice simulates an office of N colleagues in one workspace,
// N Hallways in this process on loopback, for N = 50, 100 and 200
// (HALLWAY_OFFICE_SIZES="50,100" to choose), and measures how long until
// everyone lists everyone online, #general's fan-out, a presence change
// reaching all, and what each node costs. A size that does not make it
// says where it broke, and the next size runs anyway.
//
// Bootstrap, as a real office without multicast: each colleague joined
// with the invite code of one earlier colleague picked at random and knows
// only that colleague's address; peer exchange (the colleagues a profile
// introduces) finds everyone else. They arrive one a second
// (HALLWAY_OFFICE_ARRIVALS to change, fractions too: 0.5 is one every two
// seconds; HALLWAY_BENCH_PROFILE profiles the office forming, posting, idle
// and quiet).
// mDNS is measured on its own, in
// namespaces (discovery.TestBenchMDNSScale).
//
// One process holds both ends of every connection, and its cores serve
// the whole office. A size needing more open files than a process may
// have (200 here: both ends of some 20,000 connections) runs in several
// processes of this test binary instead, each holding a share of the
// colleagues (benchOfficeSharded; HALLWAY_OFFICE_PROCESSES forces a
// number). Either way the figures are those of N Hallways sharing this
// machine's cores, not of N machines.
func TestBenchOffice(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
	limit := raiseFileLimit()
	fmt.Printf("BENCH office: in-process nodes on 127.0.0.1 (an office too large for one process's open files in several), one private workspace, no mDNS; each knows one earlier colleague (its inviter), peer exchange introduces the rest; %d CPUs, open files limit %d\n", runtime.NumCPU(), limit)
	sizes, err := benchenv.OfficeSizes()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range sizes {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			if err := benchOffice(t, n); err != nil {
				fmt.Printf("BENCH office N=%d: breaks: %v\n", n, err)
			}
		})
	}
}

// officeNode is one colleague's Service and what it is watched by.
type officeNode struct {
	svc     *Service
	w       *watch
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{} // closed when Run has returned
	running bool
	runErr  error // what Run returned, once done is closed
	inviter int   // the index of the colleague it knows at first; -1: none
	labels  pprof.LabelSet
}

// state says whether the node runs, or what its Run returned.
func (nd *officeNode) state() string {
	if !nd.running {
		return "not started"
	}
	select {
	case <-nd.done:
		return fmt.Sprintf("stopped: %v", nd.runErr)
	default:
		return "running"
	}
}

// openOfficeNode opens a colleague's Service, listening on loopback, and
// starts watching its events; run starts it. The node's goroutines carry
// its name as a profiler label ("node"), so that a goroutine dump says
// which node each waits in.
func openOfficeNode(dir, name, listen string, peers []string, ros *roster, all *countdown, want int, posts chan<- postSeen, log *slog.Logger) (*officeNode, error) {
	labels := pprof.Labels("node", name)
	var svc *Service
	var err error
	pprof.Do(context.Background(), labels, func(ctx context.Context) {
		svc, err = Open(ctx, Config{
			DataDir: dir, Name: name, StaticPeers: peers, NoMDNS: true,
			ListenAddrs: []string{listen}, Logger: log,
		})
	})
	if err != nil {
		return nil, err
	}
	ros.add(svc.ID().String(), name)
	ctx, cancel := context.WithCancel(context.Background())
	nd := &officeNode{svc: svc, ctx: ctx, cancel: cancel, done: make(chan struct{}), labels: labels}
	nd.w = &watch{svc: svc, name: name, roster: ros, want: want, all: all, posts: posts, online: map[string]bool{}, status: map[string]string{}}
	go nd.w.run(svc.Subscribe(ctx))
	return nd, nil
}

func (nd *officeNode) run() {
	nd.running = true
	go func() {
		defer close(nd.done)
		pprof.Do(nd.ctx, nd.labels, func(ctx context.Context) { nd.runErr = nd.svc.Run(ctx) })
	}()
}

// arrivals is how many colleagues start their Hallway each second,
// HALLWAY_OFFICE_ARRIVALS or 1 (an office of 100 arrives within 100 s),
// between 0.01 and 1000.
func arrivals() float64 {
	if r, err := strconv.ParseFloat(os.Getenv("HALLWAY_OFFICE_ARRIVALS"), 64); err == nil && r >= 0.01 && r <= 1000 {
		return r
	}
	return 1
}

// extraFilesPerNode is what a node holds open besides its connections:
// listeners, the database and its journal, the lock, the relay's lane.
const extraFilesPerNode = 24

func benchOffice(t *testing.T, n int) (err error) {
	// Every connection between two nodes of this process holds a file
	// at each end: an office of n in one process needs n(n-1) of them,
	// and one that needs more than a process may have runs in several.
	if k := officeProcesses(n, raiseFileLimit()); k > 1 {
		return benchOfficeSharded(t, n, k)
	}
	baseGoroutines, baseFDs := runtime.NumGoroutine(), openFDs()
	baseHeap, baseRSS := settledMemory()
	dirs := privateWorkspace(t, n)
	ros := &roster{names: map[string]string{}}
	posts := make(chan postSeen, 1<<16)
	all := newCountdown(n)
	logs := newLogTally()
	var nodes []*officeNode
	defer func() {
		if nodes != nil {
			stopAll(nodes)
		}
	}()

	// The office's Hallways are opened (keys, databases, listeners), then
	// all start at once, as when the office's network comes back on.
	inviters := officeInviters(n)
	opening := time.Now()
	var addrs []string
	for i := range n {
		var peers []string
		inviter := inviters[i]
		if inviter >= 0 {
			peers = []string{addrs[inviter]}
		}
		var to chan<- postSeen = posts
		if i == 0 {
			to = nil // the author of the posts
		}
		nd, err := openOfficeNode(dirs[i], "N"+strconv.Itoa(i), "/ip4/127.0.0.1/tcp/0", peers, ros, all, n-1, to, slog.New(logs))
		if err != nil {
			return fmt.Errorf("opening colleague %d of %d: %w", i+1, n, err)
		}
		nd.inviter = inviter
		nodes = append(nodes, nd)
		me, err := nd.svc.Self(context.Background())
		if err != nil || len(me.Addrs) == 0 {
			return fmt.Errorf("colleague %d has no address: %v", i+1, err)
		}
		addrs = append(addrs, me.Addrs[0])
	}
	opened := time.Since(opening)
	// Colleagues arrive at a steady pace, as in the morning.
	stopForming, err := profileOffice(n, "forming")
	if err != nil {
		return err
	}
	start, cpu0 := time.Now(), benchenv.CPUTime()
	perSecond := arrivals()
	arrive := time.NewTicker(time.Duration(float64(time.Second) / perSecond))
	for i, nd := range nodes {
		if i > 0 {
			<-arrive.C
		}
		nd.run()
	}
	arrive.Stop()
	arrived := time.Since(start)

	// Should not everyone list everyone by the deadline, that is where
	// it breaks; the rest is measured all the same.
	deadline := arrived + time.Minute + time.Duration(n)*time.Second
	var onlineText string
	select {
	case <-all.done:
		online := time.Since(start)
		onlineText = fmt.Sprintf("everyone lists everyone online %s after the first arrival, %s after the last",
			online.Round(100*time.Millisecond), (online - arrived).Round(100*time.Millisecond))
	case <-time.After(time.Until(start.Add(deadline))):
		fmt.Printf("BENCH office N=%d: breaks: %s after the first arrival (the last %s after it), %s; %.1f cores busy meanwhile, machine load %s; the nodes logged most: %s\n",
			n, deadline.Round(time.Second), arrived.Round(100*time.Millisecond), onlineShortfall(nodes),
			float64(benchenv.CPUTime()-cpu0)/float64(time.Since(start)), benchenv.LoadAverage(), logs.top(8, slog.LevelDebug))
		if err := dumpGoroutines(n, "goroutines"); err != nil {
			return err
		}
		onlineText = fmt.Sprintf("NOT everyone lists everyone online %s after the first arrival (see breaks)", deadline.Round(time.Second))
	}
	formingCPU := float64(benchenv.CPUTime()-cpu0) / float64(time.Since(start))
	if stopForming != nil {
		stopForming()
	}
	// Said at once: a later phase that breaks does not lose it.
	fmt.Printf("BENCH office N=%d online: %s; %s\n", n, onlineText, formingSyncs(nodes))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	rooms, err := nodes[0].svc.Rooms(ctx)
	if err != nil || len(rooms) == 0 {
		return fmt.Errorf("no #general: %v", err)
	}
	general := rooms[0].ID
	if err := everyNode(ctx, nodes, 2*time.Minute, func(nd *officeNode) bool {
		ms, _ := nd.svc.RoomMembers(ctx, general)
		return len(ms) == n
	}); err != nil {
		return fmt.Errorf("#general never listed all %d members: %w", n, err)
	}
	members := time.Since(start)

	// A phase that breaks is said, with what it measured until then, and
	// the others are measured all the same.
	stopPosting, err := profileOffice(n, "posting")
	if err != nil {
		return err
	}
	fan, err := fanOut(ctx, nodes[0], general, n, posts)
	if stopPosting != nil {
		stopPosting()
	}
	if err != nil {
		fan = fmt.Sprintf("breaks (%v; the nodes logged most: %s)", err, logs.top(4, slog.LevelDebug))
	}
	pres, err := presenceChanges(ctx, nodes)
	if err != nil {
		pres = fmt.Sprintf("breaks (%v)", err)
	}

	// What an idle office costs: keep-alive pings, gossip heartbeats, the
	// last posts' receipts (quietCores: once nobody has written a while).
	// With HALLWAY_BENCH_PROFILE the idle time is profiled, and lasts 30 s.
	idle := 10 * time.Second
	stopIdle, err := profileOffice(n, "idle")
	if err != nil {
		return err
	}
	if stopIdle != nil {
		idle = 30 * time.Second
	}
	idle0 := benchenv.CPUTime()
	time.Sleep(idle)
	if stopIdle != nil {
		stopIdle()
	}
	idleCPU := float64(benchenv.CPUTime()-idle0) / float64(idle) / float64(n)

	heap, rss := settledMemory()
	quietCPU, err := quietCores(n, benchenv.CPUTime)
	if err != nil {
		return err
	}
	quietCPU /= float64(n)
	var conns []int
	relayed, relayedOnly := 0, 0
	for _, nd := range nodes {
		st := nd.svc.Stats()
		conns = append(conns, st.Conns)
		relayed, relayedOnly = relayed+st.RelayedConns, relayedOnly+st.RelayedOnly
	}
	slices.Sort(conns)
	sum := 0
	for _, c := range conns {
		sum += c
	}
	goroutines, fds := runtime.NumGoroutine()-baseGoroutines, openFDs()-baseFDs
	mib := func(after, before uint64) float64 {
		return float64(int64(after)-int64(before)) / float64(n) / (1 << 20)
	}
	fmt.Printf("BENCH office N=%d: %s (%g arrivals a second; %.1f cores busy meanwhile; opening them took %s), #general lists all %d everywhere at %s; #general fan-out to the last of %d: %s; presence change seen by all %d: %s; machine load %s\n",
		n, onlineText, perSecond, formingCPU, opened.Round(100*time.Millisecond),
		n, members.Round(100*time.Millisecond), n-1, fan, n-1, pres, benchenv.LoadAverage())
	fmt.Printf("BENCH office N=%d per node: heap in use %.1f MiB, RSS %.1f MiB, %.0f goroutines, %.1f open files, idle CPU %.2f%% of a core (%.2f%% once quiet a minute); libp2p connections avg %.1f, min %d, max %d (of %d colleagues); through a relay: %d connections, %d of %d pairs (counted at both ends) with no other\n",
		n, mib(heap, baseHeap), mib(rss, baseRSS), float64(goroutines)/float64(n), float64(fds)/float64(n), 100*idleCPU, 100*quietCPU,
		float64(sum)/float64(n), conns[0], conns[len(conns)-1], n-1, relayed, relayedOnly, n*(n-1))

	began := time.Now()
	stuck := stopAll(nodes)
	nodes = nil
	stopped := time.Since(began)
	leftG, leftFD := settleCounts(baseGoroutines, baseFDs)
	fmt.Printf("BENCH office N=%d shutdown: %d nodes stopped in %s (%d stuck); then %+d goroutines, %+d open files over the start\n",
		n, n, stopped.Round(100*time.Millisecond), stuck, leftG, leftFD)
	if stuck > 0 || leftG > 50+n || leftFD > 10+n {
		return fmt.Errorf("shutdown left %d nodes running, %+d goroutines, %+d open files", stuck, leftG, leftFD)
	}
	return nil
}

// An office is measured idle twice: right after its posts and presence
// changes, while their receipts still go round, and again once nobody has
// written for quietAfter: what it costs at rest, all day.
const (
	quietAfter = 60 * time.Second
	quietFor   = 20 * time.Second
)

// quietCores waits quietAfter, then returns the cores the office of n
// used over quietFor, by cpu (its CPU time so far); with
// HALLWAY_BENCH_PROFILE that time is profiled ("quiet").
func quietCores(n int, cpu func() time.Duration) (float64, error) {
	time.Sleep(quietAfter)
	stop, err := profileOffice(n, "quiet")
	if err != nil {
		return 0, err
	}
	t0 := cpu()
	time.Sleep(quietFor)
	used := cpu() - t0
	if stop != nil {
		stop()
	}
	return float64(used) / float64(quietFor), nil
}
