package core

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hallway/internal/benchenv"
)

// officePlan is what the processes of an office too large for one
// process share (bench_office_shards_test.go): every colleague's data
// directory, address and inviter. Colleague i runs in process i % Shards.
type officePlan struct {
	N         int      `json:"n"`
	Shards    int      `json:"shards"`
	PerSecond float64  `json:"per_second"`
	Dirs      []string `json:"dirs"`
	IDs       []string `json:"ids"`
	Listen    []string `json:"listen"` // each colleague's listen address
	Addrs     []string `json:"addrs"`  // the same, ending in /p2p/<id>
	Inviter   []int    `json:"inviter"`
}

// TestBenchOfficeShard is one process of a sharded office: the parent
// (benchOfficeSharded) starts it with HALLWAY_OFFICE_PLAN and
// HALLWAY_OFFICE_SHARD, and drives it line by line on stdin; it answers
// on stdout in lines starting "SHARD ".
func TestBenchOfficeShard(t *testing.T) {
	planPath, shard := os.Getenv("HALLWAY_OFFICE_PLAN"), os.Getenv("HALLWAY_OFFICE_SHARD")
	if planPath == "" || shard == "" {
		t.Skip("one process of the office benchmark (TestBenchOffice starts it)")
	}
	k, err := strconv.Atoi(shard)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(planPath)
	if err != nil {
		t.Fatal(err)
	}
	var plan officePlan
	if err := json.Unmarshal(b, &plan); err != nil {
		t.Fatal(err)
	}
	raiseFileLimit()
	sh := &officeShard{plan: plan, k: k, out: bufio.NewWriter(os.Stdout)}
	if err := sh.serve(bufio.NewScanner(os.Stdin)); err != nil {
		sh.say("failed %v", err)
		t.Fatal(err)
	}
}

// officeShard runs the colleagues of one process.
type officeShard struct {
	plan  officePlan
	k     int
	mine  []int         // the colleagues of this process, by index in the office
	nodes []*officeNode // their nodes, in the order of mine; nil once stopped
	all   *countdown
	posts chan postSeen
	logs  *logTally
	room  string // #general, once asked for
	// unprofile stops the CPU profile of the office forming; nil: none runs.
	unprofile func()
	baseG     int
	baseFD    int
	baseH     uint64
	baseR     uint64

	mu  sync.Mutex // guards out
	out *bufio.Writer
}

// say writes one answer line.
func (sh *officeShard) say(format string, args ...any) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	fmt.Fprintf(sh.out, "SHARD "+format+"\n", args...)
	sh.out.Flush()
}

func (sh *officeShard) open() error {
	sh.baseG, sh.baseFD = runtime.NumGoroutine(), openFDs()
	sh.baseH, sh.baseR = settledMemory()
	p := sh.plan
	ros := &roster{names: map[string]string{}}
	for i, id := range p.IDs {
		ros.add(id, "N"+strconv.Itoa(i))
	}
	for i := sh.k; i < p.N; i += p.Shards {
		sh.mine = append(sh.mine, i)
	}
	sh.posts = make(chan postSeen, 1<<16)
	sh.logs = newLogTally()
	sh.all = newCountdown(len(sh.mine))
	for _, i := range sh.mine {
		var peers []string
		if p.Inviter[i] >= 0 {
			peers = []string{p.Addrs[p.Inviter[i]]}
		}
		to := sh.posts
		if i == 0 {
			to = nil // the author of the posts
		}
		nd, err := openOfficeNode(p.Dirs[i], "N"+strconv.Itoa(i), p.Listen[i], peers, ros, sh.all, p.N-1, to, slog.New(sh.logs))
		if err != nil {
			return fmt.Errorf("opening colleague %d: %w", i, err)
		}
		nd.inviter = p.Inviter[i]
		sh.nodes = append(sh.nodes, nd)
		if got := nd.svc.ID().String(); got != p.IDs[i] {
			return fmt.Errorf("colleague %d runs as %s, planned %s", i, got, p.IDs[i])
		}
	}
	return nil
}

// serve opens the colleagues, says "ready", and runs the parent's
// commands until "stop".
func (sh *officeShard) serve(in *bufio.Scanner) error {
	if err := sh.open(); err != nil {
		return err
	}
	defer func() {
		if sh.nodes != nil {
			stopAll(sh.nodes)
		}
	}()
	go func() {
		for p := range sh.posts {
			sh.say("got %d %s %s", p.at.UnixNano(), p.who, p.text)
		}
	}()
	sh.say("ready")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		if f[0] == "stop" {
			sh.formed()
			began := time.Now()
			stuck := stopAll(sh.nodes)
			if stuck > 0 { // where the colleagues that did not stop wait
				if err := dumpGoroutines(sh.plan.N, "stuck-p"+strconv.Itoa(sh.k)); err != nil {
					fmt.Fprintln(os.Stderr, "stuck colleagues' goroutines:", err)
				}
			}
			sh.nodes = nil
			sh.say("stopped %d %d", stuck, time.Since(began).Nanoseconds())
			return nil
		}
		if err := sh.command(ctx, f); err != nil {
			sh.say("error %s: %v", f[0], err)
		}
	}
	return in.Err()
}

// node is colleague i's node, nil if it runs in another process.
func (sh *officeShard) node(i int) *officeNode {
	if i < 0 || i%sh.plan.Shards != sh.k || i/sh.plan.Shards >= len(sh.nodes) {
		return nil
	}
	return sh.nodes[i/sh.plan.Shards]
}

// command runs one of the parent's commands; those that wait answer from
// a goroutine of their own.
func (sh *officeShard) command(ctx context.Context, f []string) error {
	arg := func(i int) int64 {
		if i >= len(f) {
			return 0
		}
		v, _ := strconv.ParseInt(f[i], 10, 64)
		return v
	}
	switch f[0] {
	case "go": // go <start unixnano>: colleagues arrive at the plan's pace
		start := time.Unix(0, arg(1))
		stop, err := profileOffice(sh.plan.N, "forming-p"+strconv.Itoa(sh.k))
		if err != nil {
			return err
		}
		sh.unprofile = stop
		go func() {
			for j, i := range sh.mine {
				time.Sleep(time.Until(start.Add(time.Duration(float64(i) * float64(time.Second) / sh.plan.PerSecond))))
				sh.nodes[j].run()
			}
		}()
		go func() {
			<-sh.all.done
			sh.say("online %d", time.Now().UnixNano())
		}()
	case "cpu":
		sh.say("cpu %d %d", benchenv.CPUTime().Nanoseconds(), time.Now().UnixNano())
	case "report": // what each colleague lists, when the office broke
		sh.formed()
		sh.report()
	case "members": // until each colleague lists all of #general
		sh.formed()
		go func() {
			if err := sh.awaitMembers(ctx); err != nil {
				sh.say("members %v", err)
				return
			}
			sh.say("members ok %d", time.Now().UnixNano())
		}()
	case "post": // post <i>: colleague 0 posts "probe <i>"
		nd := sh.node(0)
		if nd == nil {
			return fmt.Errorf("colleague 0 is not here")
		}
		go func() {
			if sh.room == "" { // #general's members were not all listed in time
				if rooms, err := nd.svc.Rooms(ctx); err == nil && len(rooms) > 0 {
					sh.room = rooms[0].ID
				}
			}
			began := time.Now()
			if _, err := nd.svc.SendRoom(ctx, sh.room, "probe "+f[1]); err != nil {
				sh.say("sent %s error %v", f[1], err)
				return
			}
			sh.say("sent %s %d", f[1], began.UnixNano())
		}()
	case "expect": // expect <peer> <status>: say when every colleague here lists it
		var waiting []*officeNode
		for _, nd := range sh.nodes {
			if nd.svc.ID().String() != f[1] {
				waiting = append(waiting, nd)
			}
		}
		cd := newCountdown(len(waiting))
		for _, nd := range waiting {
			nd.w.await(&expectation{peer: f[1], status: f[2], cd: cd})
		}
		sh.say("expecting")
		go func() {
			select {
			case <-cd.done:
				sh.say("met %d", time.Now().UnixNano())
			case <-time.After(2 * time.Minute):
				sh.say("met never %d", cd.left.Load())
			}
		}()
	case "status": // status <i> <status>: colleague i sets it
		nd := sh.node(int(arg(1)))
		if nd == nil {
			return fmt.Errorf("colleague %s is not here", f[1])
		}
		go func() { // a busy node must not hold the other commands up
			began := time.Now()
			if err := nd.svc.SetStatus(ctx, f[2], ""); err != nil {
				sh.say("error status: %v", err)
				return
			}
			sh.say("status %d", began.UnixNano())
		}()
	case "memory":
		heap, rss := settledMemory()
		var conns []string
		relayed, relayedOnly := 0, 0
		for _, nd := range sh.nodes {
			st := nd.svc.Stats()
			conns = append(conns, strconv.Itoa(st.Conns))
			relayed, relayedOnly = relayed+st.RelayedConns, relayedOnly+st.RelayedOnly
		}
		sh.say("memory %d %d %d %d %d %d %s", int64(heap)-int64(sh.baseH), int64(rss)-int64(sh.baseR),
			runtime.NumGoroutine()-sh.baseG, openFDs()-sh.baseFD, relayed, relayedOnly, strings.Join(conns, ","))
	case "logs":
		sh.say("logs %s", sh.logs.top(16, slog.LevelDebug))
	default:
		return fmt.Errorf("unknown command")
	}
	return nil
}

// formed ends the profile of the office forming, if one runs: the
// parent asks for "report" or "members" once everyone is online or the
// deadline passed.
func (sh *officeShard) formed() {
	if sh.unprofile != nil {
		sh.unprofile()
		sh.unprofile = nil
	}
}

// report says, per colleague here: how many it lists online, how many
// of the office it is connected to, and its connections; then "end". It
// reads no database: in an office that broke, the cores are busy and a
// colleague's list read 200 times over would take minutes.
func (sh *officeShard) report() {
	office := map[string]bool{}
	for _, id := range sh.plan.IDs {
		office[id] = true
	}
	for j, i := range sh.mine {
		nd := sh.nodes[j]
		peers := nd.svc.node.ConnectedPeers()
		connected := 0
		for _, p := range peers {
			if office[p.String()] {
				connected++
			}
		}
		sh.say("stat %d %d %d %d", i, nd.w.onlineCount(), connected, len(peers))
	}
	sh.say("end")
}

// awaitMembers finds #general and waits until every colleague here lists
// all of the office in it, two minutes at most.
func (sh *officeShard) awaitMembers(ctx context.Context) error {
	nodes := sh.nodes
	rooms, err := nodes[0].svc.Rooms(ctx)
	if err != nil || len(rooms) == 0 {
		return fmt.Errorf("no #general: %v", err)
	}
	sh.room = rooms[0].ID
	return everyNode(ctx, nodes, 2*time.Minute, func(nd *officeNode) bool {
		ms, _ := nd.svc.RoomMembers(ctx, sh.room)
		return len(ms) == sh.plan.N
	})
}
