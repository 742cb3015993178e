package core

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// officeProcesses is how many processes an office of n runs in: one when
// its open files fit in one (both ends of every connection are in the
// office), else enough that each holds two thirds of its limit at most.
// HALLWAY_OFFICE_PROCESSES sets it.
func officeProcesses(n int, limit uint64) int {
	if k, err := strconv.Atoi(os.Getenv("HALLWAY_OFFICE_PROCESSES")); err == nil && k >= 1 && k <= n {
		return k
	}
	need := uint64(n*(n-1) + n*extraFilesPerNode)
	if limit == 0 || need <= limit {
		return 1
	}
	per := limit * 2 / 3
	return int((need + per - 1) / per)
}

// shardMsg is one answer line of a shard process, split in fields.
type shardMsg struct {
	k int
	f []string
}

// shardedOffice drives the processes of one office.
type shardedOffice struct {
	n    int
	ids  []string // each colleague's peer ID
	cmds []*exec.Cmd
	ins  []io.WriteCloser
	msgs chan shardMsg
	wg   sync.WaitGroup
}

// startShards writes the plan and starts k processes of this test binary
// running TestBenchOfficeShard, each opening its colleagues.
func startShards(t *testing.T, n, k int, perSecond float64) (*shardedOffice, error) {
	dir := t.TempDir()
	plan := officePlan{N: n, Shards: k, PerSecond: perSecond, Dirs: privateWorkspace(t, n)}
	base, err := freePorts(n)
	if err != nil {
		return nil, err
	}
	plan.Inviter = officeInviters(n)
	for i, d := range plan.Dirs {
		key, _, err := hcrypto.LoadOrCreateIdentity(filepath.Join(d, identityFile))
		if err != nil {
			return nil, err
		}
		id, err := peer.IDFromPrivateKey(key)
		if err != nil {
			return nil, err
		}
		listen := fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", base+i)
		plan.IDs = append(plan.IDs, id.String())
		plan.Listen = append(plan.Listen, listen)
		plan.Addrs = append(plan.Addrs, listen+"/p2p/"+id.String())
	}
	b, err := json.Marshal(plan)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, err
	}
	o := &shardedOffice{n: n, ids: plan.IDs, msgs: make(chan shardMsg, 1<<16)}
	for s := range k {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBenchOfficeShard$", "-test.v", "-test.timeout=2h")
		cmd.Env = append(os.Environ(), "HALLWAY_OFFICE_PLAN="+path, "HALLWAY_OFFICE_SHARD="+strconv.Itoa(s))
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			return o, err
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			return o, err
		}
		if err := cmd.Start(); err != nil {
			return o, fmt.Errorf("starting process %d: %w", s, err)
		}
		o.cmds, o.ins = append(o.cmds, cmd), append(o.ins, in)
		o.wg.Go(func() { o.read(s, out) })
	}
	return o, nil
}

// read passes a shard's answers on, and says when it exits.
func (o *shardedOffice) read(k int, out io.Reader) {
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "SHARD "); ok {
			o.msgs <- shardMsg{k, strings.Fields(rest)}
		} else if !strings.HasPrefix(line, "=== ") && !strings.HasPrefix(line, "--- PASS") && line != "PASS" {
			fmt.Printf("office process %d: %s\n", k, line)
		}
	}
	o.msgs <- shardMsg{k, []string{"exit"}}
}

// freePorts finds n consecutive loopback ports below the ephemeral range
// that are free now, so that every colleague's address is known before
// any starts.
func freePorts(n int) (int, error) {
	low := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if v, err := strconv.Atoi(f[0]); err == nil {
				low = v
			}
		}
	}
next:
	for base := 20000; base+n <= low; base += n {
		var ls []net.Listener
		defer func() {
			for _, l := range ls {
				l.Close()
			}
		}()
		for p := base; p < base+n; p++ {
			l, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				continue next
			}
			ls = append(ls, l)
		}
		return base, nil
	}
	return 0, fmt.Errorf("no %d free loopback ports in a row below %d", n, low)
}

// send writes one command to shard k.
func (o *shardedOffice) send(k int, format string, args ...any) error {
	if _, err := fmt.Fprintf(o.ins[k], format+"\n", args...); err != nil {
		return fmt.Errorf("process %d: %w", k, err)
	}
	return nil
}

// broadcast writes one command to every shard.
func (o *shardedOffice) broadcast(format string, args ...any) error {
	for k := range o.ins {
		if err := o.send(k, format, args...); err != nil {
			return err
		}
	}
	return nil
}

// next returns the next answer of one of the kinds, dropping others,
// within d; a shard that exits or fails ends the wait with an error.
func (o *shardedOffice) next(d time.Duration, kinds ...string) (shardMsg, error) {
	end := time.After(d)
	for {
		select {
		case m := <-o.msgs:
			if len(m.f) == 0 {
				continue
			}
			switch m.f[0] {
			case "exit", "failed", "error":
				return m, fmt.Errorf("process %d: %s", m.k, strings.Join(m.f, " "))
			}
			for _, k := range kinds {
				if m.f[0] == k {
					return m, nil
				}
			}
		case <-end:
			return shardMsg{}, fmt.Errorf("no %s within %s", strings.Join(kinds, "/"), d)
		}
	}
}

// each collects one answer of kind from every shard.
func (o *shardedOffice) each(d time.Duration, kind string) ([]shardMsg, error) {
	deadline := time.Now().Add(d)
	var out []shardMsg
	for len(out) < len(o.cmds) {
		m, err := o.next(time.Until(deadline), kind)
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}

// cpuReading is each shard's CPU time used and when it said so; nil
// when one did not say within five minutes.
type cpuReading map[int][2]int64

// cpu reads every shard's CPU time.
func (o *shardedOffice) cpu() cpuReading {
	if o.broadcast("cpu") != nil {
		return nil
	}
	ms, err := o.each(5*time.Minute, "cpu")
	if err != nil {
		return nil
	}
	r := cpuReading{}
	for _, m := range ms {
		r[m.k] = [2]int64{num(m.f, 1), num(m.f, 2)}
	}
	if len(r) != len(o.cmds) {
		return nil
	}
	return r
}

// cores is how many cores the shards kept busy between two readings,
// each over its own interval (a busy shard answers late); NaN when a
// reading is missing.
func cores(a, b cpuReading) float64 {
	if a == nil || b == nil {
		return math.NaN()
	}
	sum := 0.0
	for k, x := range a {
		y := b[k]
		if y[1] <= x[1] {
			return math.NaN()
		}
		sum += float64(y[0]-x[0]) / float64(y[1]-x[1])
	}
	return sum
}

// stop stops every shard's colleagues and waits for the processes to
// end, killing what does not within a minute; it says how many
// colleagues were stuck and how long the slowest process took.
func (o *shardedOffice) stop() (stuck int, took time.Duration) {
	if o.broadcast("stop") == nil {
		ms, _ := o.each(2*time.Minute, "stopped")
		for _, m := range ms {
			stuck += int(num(m.f, 1))
			took = max(took, time.Duration(num(m.f, 2)))
		}
	}
	go func() {
		for range o.msgs { // drain what the readers still pass on
		}
	}()
	for _, in := range o.ins {
		in.Close()
	}
	done := make(chan struct{})
	go func() {
		for _, c := range o.cmds {
			c.Wait()
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		for _, c := range o.cmds {
			c.Process.Kill()
		}
		<-done
	}
	o.wg.Wait()
	close(o.msgs)
	return stuck, took
}

// num is field i of an answer as an integer, 0 if absent.
func num(f []string, i int) int64 {
	if i >= len(f) {
		return 0
	}
	v, _ := strconv.ParseInt(f[i], 10, 64)
	return v
}
