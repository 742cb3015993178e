package core

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/benchenv"
)

// benchOfficeSharded measures an office of n in k processes of this test
// binary (startShards), the same phases and figures as benchOffice: an
// office too large for one process's open files still runs, each
// process holding a share of the colleagues, all on this machine's
// loopback and cores.
func benchOfficeSharded(t *testing.T, n, k int) (err error) {
	perSecond := arrivals()
	opening := time.Now()
	o, err := startShards(t, n, k, perSecond)
	defer func() {
		if o != nil {
			o.stop()
		}
	}()
	if err != nil {
		return err
	}
	if _, err := o.each(10*time.Minute, "ready"); err != nil {
		return fmt.Errorf("opening the office in %d processes: %w", k, err)
	}
	opened := time.Since(opening)
	cpu0 := o.cpu()
	start := time.Now().Add(time.Second)
	if err := o.broadcast("go %d", start.UnixNano()); err != nil {
		return err
	}
	arrived := time.Duration(float64(n-1) * float64(time.Second) / perSecond)
	deadline := start.Add(arrived + time.Minute + time.Duration(n)*time.Second)
	var onlineText string
	var last time.Time
	got := 0
	for got < k {
		m, err := o.next(time.Until(deadline), "online")
		if err != nil {
			break
		}
		got++
		last = time.Unix(0, num(m.f, 1))
	}
	formingCPU := cores(cpu0, o.cpu())
	if got == k {
		online := last.Sub(start)
		onlineText = fmt.Sprintf("everyone lists everyone online %s after the first arrival, %s after the last",
			online.Round(100*time.Millisecond), (online - arrived).Round(100*time.Millisecond))
	} else {
		fmt.Printf("BENCH office N=%d: breaks: %s after the first arrival (the last %s after it), %s; %.1f cores busy meanwhile, machine load %s; the nodes logged most (process 0): %s\n",
			n, deadline.Sub(start).Round(time.Second), arrived.Round(100*time.Millisecond), o.shortfall(),
			formingCPU, benchenv.LoadAverage(), o.logs())
		onlineText = fmt.Sprintf("NOT everyone lists everyone online %s after the first arrival (see breaks)", deadline.Sub(start).Round(time.Second))
	}
	fmt.Printf("BENCH office N=%d online: %s\n", n, onlineText)

	if err := o.broadcast("members"); err != nil {
		return err
	}
	// An office that did not form is measured on all the same: what its
	// posts, presence and memory come to is where it breaks.
	ms, err := o.each(6*time.Minute, "members")
	var members time.Duration
	for _, m := range ms {
		if len(m.f) < 2 || m.f[1] != "ok" {
			err = fmt.Errorf("process %d: %s", m.k, strings.Join(m.f[1:], " "))
			break
		}
		members = max(members, time.Unix(0, num(m.f, 2)).Sub(start))
	}
	membersText := "at " + members.Round(100*time.Millisecond).String()
	if err != nil {
		membersText = fmt.Sprintf("NOT within two minutes of each process's asking (%v)", err)
	}
	fan, err := o.fanOut()
	if err != nil {
		fan = fmt.Sprintf("breaks (%v; the nodes logged most (process 0): %s)", err, o.logs())
	}
	pres, err := o.presenceChanges()
	if err != nil {
		pres = fmt.Sprintf("breaks (%v)", err)
	}
	// Said at once, as the online figure: a process that takes long to
	// answer later does not lose them.
	fmt.Printf("BENCH office N=%d posts and presence: #general lists all %d everywhere %s; #general fan-out to the last of %d: %s; presence change seen by all %d: %s\n",
		n, n, membersText, n-1, fan, n-1, pres)

	idle := 10 * time.Second
	idle0 := o.cpu()
	time.Sleep(idle)
	idleCPU := cores(idle0, o.cpu()) / float64(n)
	time.Sleep(quietAfter)
	quiet0 := o.cpu()
	time.Sleep(quietFor)
	quietCPU := cores(quiet0, o.cpu()) / float64(n)

	if err := o.broadcast("memory"); err != nil {
		return err
	}
	mem, err := o.each(10*time.Minute, "memory") // a busy process collects its garbage slowly
	if err != nil {
		return err
	}
	var heap, rss, goroutines, fds, relayed, relayedOnly int64
	var conns []int
	for _, m := range mem {
		heap, rss, goroutines, fds = heap+num(m.f, 1), rss+num(m.f, 2), goroutines+num(m.f, 3), fds+num(m.f, 4)
		relayed, relayedOnly = relayed+num(m.f, 5), relayedOnly+num(m.f, 6)
		if len(m.f) > 7 {
			for _, c := range strings.Split(m.f[7], ",") {
				v, _ := strconv.Atoi(c)
				conns = append(conns, v)
			}
		}
	}
	slices.Sort(conns)
	sum := 0
	for _, c := range conns {
		sum += c
	}
	perNode := func(v int64) float64 { return float64(v) / float64(n) }
	fmt.Printf("BENCH office N=%d: %s (%g arrivals a second; %.1f cores busy meanwhile; %d processes, opening them took %s), #general lists all %d everywhere %s; #general fan-out to the last of %d: %s; presence change seen by all %d: %s; machine load %s\n",
		n, onlineText, perSecond, formingCPU, k, opened.Round(100*time.Millisecond),
		n, membersText, n-1, fan, n-1, pres, benchenv.LoadAverage())
	fmt.Printf("BENCH office N=%d per node: heap in use %.1f MiB, RSS %.1f MiB, %.0f goroutines, %.1f open files, idle CPU %.2f%% of a core (%.2f%% once quiet a minute); libp2p connections avg %.1f, min %d, max %d (of %d colleagues); through a relay: %d connections, %d of %d pairs (counted at both ends) with no other\n",
		n, perNode(heap)/(1<<20), perNode(rss)/(1<<20), perNode(goroutines), perNode(fds), 100*idleCPU, 100*quietCPU,
		float64(sum)/float64(max(len(conns), 1)), conns[0], conns[len(conns)-1], n-1, relayed, relayedOnly, n*(n-1))

	stuck, took := o.stop()
	o = nil
	fmt.Printf("BENCH office N=%d shutdown: %d nodes stopped in %s (%d stuck), in %d processes\n", n, n, took.Round(100*time.Millisecond), stuck, k)
	if stuck > 0 {
		return fmt.Errorf("shutdown left %d nodes running", stuck)
	}
	return nil
}

// shortfall gathers what every colleague lists (the shards' "report")
// and says it as onlineShortfall does for an office in one process.
func (o *shardedOffice) shortfall() string {
	if err := o.broadcast("report"); err != nil {
		return err.Error()
	}
	complete, fewest, low, lowConnected, unconnected, nameless := 0, o.n, -1, 0, 0, 0
	var held []int
	for ends := 0; ends < len(o.cmds); {
		m, err := o.next(5*time.Minute, "stat", "end")
		if err != nil {
			return err.Error()
		}
		if m.f[0] == "end" {
			ends++
			continue
		}
		i, listed, connected := int(num(m.f, 1)), int(num(m.f, 2)), int(num(m.f, 3))
		if listed >= o.n-1 {
			complete++
		}
		if listed < fewest {
			fewest, low, lowConnected = listed, i, connected
		}
		unconnected += o.n - 1 - connected
		nameless += max(connected-listed, 0)
		held = append(held, int(num(m.f, 4)))
	}
	return fmt.Sprintf("%d of %d colleagues list everyone online; the fewest one lists is %d of %d (N%d, connected to %d); of the pairs, %d are not connected, %d connected without the colleague's profile; nodes by connections held: %s",
		complete, o.n, fewest, o.n-1, low, lowConnected, unconnected, nameless, spreadInTens(held))
}

// logs is what the colleagues of process 0 logged most.
func (o *shardedOffice) logs() string {
	if o.send(0, "logs") != nil {
		return "?"
	}
	m, err := o.next(5*time.Minute, "logs")
	if err != nil {
		return err.Error()
	}
	return strings.Join(m.f[1:], " ")
}

// fanOut is fanOut for an office in processes: colleague 0 posts, 150 ms
// apart at least, and each post is timed until the last colleague, in
// whichever process, has it.
func (o *shardedOffice) fanOut() (string, error) {
	const total = 100
	times := &postTimes{warm: 10}
	sofar := times.String
	for i := range total {
		paced := time.Now().Add(150 * time.Millisecond)
		if err := o.send(0, "post %d", i); err != nil {
			return "", err
		}
		want := strconv.Itoa(i)
		var began, last time.Time
		var who string // the colleague who had it last
		for seen := 0; began.IsZero() || seen < o.n-1; {
			m, err := o.next(30*time.Second, "sent", "got")
			if err != nil {
				return "", fmt.Errorf("post %d reached %d of %d colleagues: %w; before it: %s", i, seen, o.n-1, err, sofar())
			}
			switch {
			case m.f[0] == "sent" && len(m.f) > 2 && m.f[1] == want:
				if m.f[2] == "error" {
					return "", fmt.Errorf("post %d: %s; before it: %s", i, strings.Join(m.f[3:], " "), sofar())
				}
				began = time.Unix(0, num(m.f, 2))
			case m.f[0] == "got" && len(m.f) == 5 && m.f[4] == want:
				seen++
				if at := time.Unix(0, num(m.f, 1)); at.After(last) {
					last, who = at, m.f[2]
				}
			}
		}
		times.add(i, last.Sub(began), who)
		time.Sleep(time.Until(paced)) // pacing under the room's quota, not waiting for a state
	}
	return sofar(), nil
}

// presenceChanges is presenceChanges for an office in processes: the
// last colleague goes away and comes back, each change timed until every
// other, in whichever process, lists it.
func (o *shardedOffice) presenceChanges() (string, error) {
	target := o.n - 1
	var lat []time.Duration
	for i, status := range []string{chat.StatusAway, chat.StatusAvailable, chat.StatusAway, chat.StatusAvailable, chat.StatusAway} {
		if err := o.broadcast("expect %s %s", o.ids[target], status); err != nil {
			return "", err
		}
		if _, err := o.each(time.Minute, "expecting"); err != nil {
			return "", fmt.Errorf("presence change %d: %w", i, err)
		}
		if err := o.send(target%len(o.cmds), "status %d %s", target, status); err != nil {
			return "", err
		}
		// The status's answer and the processes' "met" come in any order.
		var began, last time.Time
		for met := 0; began.IsZero() || met < len(o.cmds); {
			m, err := o.next(2*time.Minute+10*time.Second, "status", "met")
			if err != nil {
				return "", fmt.Errorf("presence %q: %w", status, err)
			}
			switch {
			case m.f[0] == "status":
				began = time.Unix(0, num(m.f, 1))
			case len(m.f) > 1 && m.f[1] == "never":
				return "", fmt.Errorf("presence %q: %d colleagues of process %d never listed it", status, num(m.f, 2), m.k)
			default:
				met++
				last = time.Unix(0, max(last.UnixNano(), num(m.f, 1)))
			}
		}
		lat = append(lat, last.Sub(began))
	}
	slices.Sort(lat)
	return fmt.Sprintf("p50 %s max %s (%d changes)", lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), len(lat)), nil
}
