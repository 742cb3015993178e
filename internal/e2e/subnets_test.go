package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// officeStart starts a private workspace on lab's hosts, one daemon each:
// the first creates it and runs, the others join with its invite code and
// start together; it returns the daemons, the code, and the time from
// their start until every one lists every other online (at most within).
func officeStart(t *testing.T, lab *netlab.Lab, names []string, within time.Duration) ([]*fleet.Daemon, string, time.Duration) {
	t.Helper()
	ds := make([]*fleet.Daemon, len(names))
	for i, n := range names {
		ds[i] = fleet.New(t, lab.Host(i+1), n, "--downloads", filepath.Join(t.TempDir(), n))
	}
	ds[0].CLI("workspace", "create")
	ds[0].Start()
	code := fleet.Decode[map[string]any](t, ds[0].CLI("workspace", "invite", "--json"))["invite_code"].(string)
	for _, d := range ds[1:] {
		d.CLI("workspace", "join", code)
	}
	start := time.Now()
	fleet.StartAll(t, ds[1:])
	fleet.WaitMesh(t, ds, within)
	return ds, code, time.Since(start)
}

// TestReachAcrossSubnets: an office of three subnets joined by a router
// that forwards no multicast, two colleagues on each. mDNS finds only the
// neighbour on one's own subnet; the one invite code, made on subnet A,
// carries its maker's address, and peer exchange does the rest.
func TestReachAcrossSubnets(t *testing.T) {
	lab := netlab.NewRouted(t, netlab.Subnet{Hosts: 2}, netlab.Subnet{Hosts: 2}, netlab.Subnet{Hosts: 2})
	ds, code, took := officeStart(t, lab, []string{"Ann", "Abe", "Bob", "Bea", "Cat", "Cid"}, 10*time.Second)
	if !strings.Contains(code, "-U-") {
		t.Fatalf("the invite code carries no address: %s", code)
	}
	t.Logf("invite code with Ann's address (%d characters): %s", len(code), code)
	t.Logf("6 colleagues on 3 subnets all listed each other %s after start", took.Round(time.Millisecond))
	for _, d := range ds {
		for _, c := range d.Peers() {
			if len(c.Addrs) == 0 {
				t.Errorf("%s lists %s without an address", d.Name, c.Name)
			}
		}
	}

	t.Run("direct messages between every pair", func(t *testing.T) {
		for _, a := range ds {
			for _, b := range ds {
				if a != b {
					a.CLI("send", b.Name, fmt.Sprintf("%s to %s", a.Name, b.Name), "--wait")
				}
			}
		}
		for _, b := range ds {
			got := map[string]bool{}
			for _, a := range ds {
				if a == b {
					continue
				}
				for _, m := range b.History(a.Name) {
					got[m.Text] = true
				}
				if want := fmt.Sprintf("%s to %s", a.Name, b.Name); !got[want] {
					t.Errorf("%s lacks %q", b.Name, want)
				}
			}
		}
	})

	t.Run("a room across the subnets", func(t *testing.T) {
		fleet.Room(t, ds, "floors")
		for _, d := range ds {
			d.CLI("room", "send", "#floors", "hello from "+d.Name)
		}
		for _, d := range ds {
			d.WaitFor("every floor's post", 30*time.Second, func() bool {
				return len(d.History("#floors")) >= len(ds)
			})
		}
	})

	t.Run("50 MiB crosses two routed hops", func(t *testing.T) {
		src, hash := fleet.RandomFile(t, t.TempDir(), "plans.bin", 50<<20)
		id := offer(t, ds[0], ds[5], "Cid", src)
		start := time.Now()
		got := fleet.Decode[chat.Transfer](t, ds[5].CLI("file", "accept", id, "--wait", "--json"))
		t.Logf("50 MiB from subnet A to C in %s (%.0f MB/s)", time.Since(start).Round(time.Millisecond), 50*1.048576/time.Since(start).Seconds())
		if got.State != "done" || fleet.FileHash(t, got.FinalPath) != hash {
			t.Fatalf("transfer %s, path %q: not the file sent", got.State, got.FinalPath)
		}
	})
}

// TestAddColleagueByAddress: a colleague beyond mDNS, added by IP alone,
// is shown by name and fingerprint and saved only once confirmed.
func TestAddColleagueByAddress(t *testing.T) {
	lab := netlab.NewRouted(t, netlab.Subnet{Hosts: 1}, netlab.Subnet{Hosts: 1})
	ann := fleet.New(t, lab.Host(1), "Ann")
	bob := fleet.New(t, lab.Host(2), "Bob")
	ann.CLI("workspace", "create")
	code := fleet.Decode[map[string]any](t, ann.CLI("workspace", "invite", "--json"))["invite_code"].(string)
	bob.CLI("workspace", "join", code) // made offline: no address in it
	fleet.StartAll(t, []*fleet.Daemon{ann, bob})
	annSelf := ann.Self()

	found := fleet.Decode[chat.AddPeerResult](t, bob.CLI("peers", "add", lab.Host(1).IP.String(), "--json"))
	if found.PeerID != annSelf.PeerID || found.Name != "Ann" || found.Fingerprint != annSelf.Fingerprint || found.Saved {
		t.Fatalf("peers add by IP: %+v; want Ann, %s, not saved", found, annSelf.Fingerprint)
	}
	if out := bob.CLI("peers", "add", lab.Host(1).IP.String()); !strings.Contains(out, annSelf.Fingerprint) || !strings.Contains(out, "--yes") {
		t.Fatalf("the user is not shown the fingerprint and how to save:\n%s", out)
	}
	saved := fleet.Decode[chat.AddPeerResult](t, bob.CLI("peers", "add", lab.Host(1).IP.String(), "--yes", "--json"))
	if !saved.Saved || saved.PeerID != annSelf.PeerID {
		t.Fatalf("peers add --yes: %+v", saved)
	}
	if _, err := bob.CLIErr("peers", "add", lab.Host(2).IP.String()); err == nil {
		t.Error("adding one's own address was taken")
	}
	if _, err := bob.CLIErr("peers", "add", "8.8.8.8"); err == nil {
		t.Error("a public address was dialled")
	}
	bob.Restart()
	bob.WaitFor("Ann again after a restart, from the saved address", 30*time.Second, func() bool { return bob.Sees(annSelf.PeerID, "Ann") })
}
