package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hallway/chat"
	"hallway/control"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// policyArrivals follows policy_changed events on daemons and reports
// when the last of them had each version in force.
type policyArrivals struct {
	mu   sync.Mutex
	need int
	got  map[uint64]int
	last map[uint64]time.Time
	done chan uint64
}

func watchPolicies(t *testing.T, ctx context.Context, ds []*fleet.Daemon) *policyArrivals {
	a := &policyArrivals{need: len(ds), got: map[uint64]int{}, last: map[uint64]time.Time{}, done: make(chan uint64, 1000)}
	for _, d := range ds {
		ready := make(chan struct{})
		go d.Client().Events(ctx, func() { close(ready) }, func(e control.WireEvent) bool {
			if e.Type != "policy_changed" || e.Policy == nil {
				return true
			}
			a.mu.Lock()
			defer a.mu.Unlock()
			v := e.Policy.Version
			a.got[v]++
			a.last[v] = time.Now()
			if a.got[v] == a.need {
				a.done <- v
			}
			return true
		})
		select {
		case <-ready:
		case <-time.After(10 * time.Second):
			t.Fatal("no event stream")
		}
	}
	return a
}

// TestBenchGovernance: a policy change until it is in force on every node
// of 10, next to a #general message reaching the last of them (the same
// gossip, the baseline); a revocation until every node dropped the
// member; a newcomer's admission from an invite code, by an admin, and
// from a pass while no admin is online.
func TestBenchGovernance(t *testing.T) {
	benchOnly(t)
	const n = 10
	lab := netlab.New(t, n+3)
	names := make([]string, n)
	for i := range names {
		names[i] = "P" + strconv.Itoa(i+1)
	}
	ds, code := fleet.PrivateOffice(t, lab, names)
	admin := ds[0]
	for _, d := range ds {
		d.WaitFor("every member in the workspace's log", 60*time.Second, func() bool {
			return len(fleet.Decode[[]chat.RoomMember](t, d.CLI("admin", "list", "--json"))) == n
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Baseline: a #general message to the last of the others.
	msgs := watchArrivals(t, ds)
	defer msgs.cancel()
	var base []time.Duration
	for i := range 60 {
		text := "probe " + strconv.Itoa(i)
		start := time.Now()
		if _, err := admin.Client().SendRoom(ctx, "#general", text); err != nil {
			t.Fatal(err)
		}
		select {
		case <-msgs.done:
		case <-time.After(20 * time.Second):
			t.Fatalf("message %d did not reach every member", i)
		}
		if i >= 10 {
			msgs.mu.Lock()
			base = append(base, msgs.last[text].Sub(start))
			msgs.mu.Unlock()
		}
	}

	pols := watchPolicies(t, ctx, ds[1:])
	var lat []time.Duration
	for i := range 60 {
		start := time.Now()
		p, err := admin.Client().SetPolicy(ctx, "files.max_size", strconv.Itoa(i+1)+"M")
		if err != nil {
			t.Fatal(err)
		}
		for {
			select {
			case v := <-pols.done:
				if v != p.Version {
					continue
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("policy version %d did not reach every member", p.Version)
			}
			break
		}
		if i >= 10 {
			pols.mu.Lock()
			lat = append(lat, pols.last[p.Version].Sub(start))
			pols.mu.Unlock()
		}
	}
	bs, ps := summarize(base), summarize(lat)
	fmt.Printf("BENCH #general message to the last of %d members (baseline, %d msgs): %s\n", n-1, len(base), bs)
	fmt.Printf("BENCH policy change in force on the last of %d members (%d changes): %s;  policy p99 / message p99 = %.2fx\n",
		n-1, len(lat), ps, ps.p99.Seconds()/bs.p99.Seconds())

	// Revocation: until every other node dropped the revoked member.
	gone := ds[n-1]
	start := time.Now()
	if err := admin.Client().RevokeMember(ctx, gone.ID()); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds[:n-1] {
		d.WaitFor("the revoked member dropped", 60*time.Second, func() bool { return !d.Online(gone.ID()) })
	}
	fmt.Printf("BENCH revocation until every one of %d nodes dropped the member: %s (polled through the CLI)\n", n-1, round(time.Since(start)))

	// Admission: a newcomer joins with the invite code, until the
	// workspace's admin lists it.
	newcomer := fleet.New(t, lab.Host(n+1), "New")
	newcomer.CLI("workspace", "join", code)
	start = time.Now()
	newcomer.Start()
	admin.WaitFor("the newcomer in the workspace's log", 60*time.Second, func() bool {
		for _, m := range fleet.Decode[[]chat.RoomMember](t, admin.CLI("admin", "list", "--json")) {
			if m.PeerID == newcomer.ID() {
				return true
			}
		}
		return false
	})
	fmt.Printf("BENCH admission from an invite code: start to a member in the admin's log: %s (polled through the CLI)\n", round(time.Since(start)))

	// Admission by admins: a key holder nobody admitted waits; from the
	// admin's admission until it is a member connected to every node.
	if _, err := admin.Client().SetPolicy(ctx, "members.admission", "admins"); err != nil {
		t.Fatal(err)
	}
	members := append(ds[:n-1:n-1], newcomer)
	for _, d := range members {
		d.WaitFor("admission by admins in force", 60*time.Second, func() bool {
			return strings.Contains(strings.Join(fleet.Decode[chat.Policy](t, d.CLI("policy", "show", "--json")).Rules, ";"), "admitted by admins")
		})
	}
	late := fleet.New(t, lab.Host(n+2), "Late")
	late.CLI("workspace", "join", code)
	late.Start()
	lateID := late.ID()
	start = time.Now()
	if err := admin.Client().AdmitMember(ctx, lateID, "Late", 0); err != nil {
		t.Fatal(err)
	}
	for _, d := range members {
		d.WaitFor("the admitted newcomer connected", 60*time.Second, func() bool { return d.Online(lateID) })
	}
	admin.WaitFor("the admitted newcomer a member", 60*time.Second, func() bool {
		for _, m := range fleet.Decode[[]chat.RoomMember](t, admin.CLI("admin", "list", "--json")) {
			if m.PeerID == lateID {
				return true
			}
		}
		return false
	})
	fmt.Printf("BENCH admission by an admin (members.admission admins): admit to a member connected to all %d nodes: %s (polled through the CLI)\n",
		len(members), round(time.Since(start)))

	// A pass, with the only admin away: from the newcomer's start until
	// every member online lists it and is connected to it.
	pass, err := admin.Client().OpenPass(ctx, 1, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	others := append(members[1:], late)
	for _, d := range others {
		d.WaitFor("the pass in the log", 60*time.Second, func() bool {
			for _, p := range fleet.Decode[[]chat.WorkspacePass](t, d.CLI("workspace", "passes", "--json")) {
				if p.ID == pass.ID && p.Open {
					return true
				}
			}
			return false
		})
	}
	adminID := admin.ID()
	admin.Stop()
	for _, d := range others {
		d.WaitFor("the admin away", 60*time.Second, func() bool { return !d.Online(adminID) })
	}
	byPass := fleet.New(t, lab.Host(n+3), "Pass")
	byPass.CLI("workspace", "join", pass.Code)
	start = time.Now()
	byPass.Start()
	passID := byPass.ID()
	for _, d := range others {
		d.WaitFor("the newcomer in by the pass, connected", 60*time.Second, func() bool {
			if !d.Online(passID) {
				return false
			}
			for _, m := range fleet.Decode[[]chat.RoomMember](t, d.CLI("workspace", "members", "--json")) {
				if m.PeerID == passID {
					return m.Role == chat.RoleMember
				}
			}
			return false
		})
	}
	fmt.Printf("BENCH admission from a pass, no admin online: start to a member connected to all %d nodes: %s (polled through the CLI)\n",
		len(others), round(time.Since(start)))

	// Rotation of the network key, after the revocation above: until
	// every member runs on the new key and is connected to the admin.
	// Baseline: the admin's node restarts on the same key, until every
	// member is connected to it again (a rotation restarts every node).
	start = time.Now()
	admin.Start()
	members = append(others, byPass)
	for _, d := range members {
		d.WaitFor("the admin back", 60*time.Second, func() bool { return d.Online(adminID) })
	}
	restart := time.Since(start)
	fmt.Printf("BENCH the admin's node back from a stop (baseline): start until all %d other nodes are connected to it: %s\n",
		len(members), round(restart))
	start = time.Now()
	rotated, err := admin.Client().RotateNetworkKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range members {
		d.WaitThroughRestarts("the new network key in use", 60*time.Second, func() bool {
			return onlineWith(d, rotated.Tag, adminID)
		})
	}
	rotation := time.Since(start)
	fmt.Printf("BENCH network key rotation: until all %d other nodes run on the new key, connected to the admin: %s (polled through the API);  rotation / restart = %.2fx\n",
		len(members), round(rotation), rotation.Seconds()/restart.Seconds())
	if st, ok := networkKeyOf(gone); !ok || st.Tag == rotated.Tag {
		t.Fatalf("the revoked member runs on %+v", st)
	}
}
