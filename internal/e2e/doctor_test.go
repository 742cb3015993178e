package e2e

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// health is what Ann's doctor says of the colleague id.
func health(d *fleet.Daemon, id string) (chat.ColleagueHealth, bool) {
	diag := fleet.Decode[chat.Diagnosis](d.T, d.CLI("doctor", "--json"))
	for _, c := range diag.Colleagues {
		if c.PeerID == id {
			return c, true
		}
	}
	return chat.ColleagueHealth{}, false
}

// waitCause waits until d's doctor names cause for id.
func waitCause(t *testing.T, d *fleet.Daemon, name, id, cause string) chat.ColleagueHealth {
	t.Helper()
	var got chat.ColleagueHealth
	_, err := d.WaitForErr("doctor: "+name+" "+cause, 60*time.Second, func() bool {
		got, _ = health(d, id)
		return got.Cause == cause
	})
	if err != nil {
		t.Fatalf("%v; the doctor says of %s: %+v", err, name, got)
	}
	t.Logf("%s: %s", name, got.Verdict)
	return got
}

// TestDoctorNamesTheCause: Ann asks why colleagues are or are not
// reachable, and the doctor names the cause of each: a network that
// filters multicast (Bob), a firewall that drops (Eve), a colleague whose
// clock is an hour ahead (Fay, a build that lies about its clock), one on
// a VPN range nobody allowed (Val), one gone to another workspace, then
// offline (Dan).
func TestDoctorNamesTheCause(t *testing.T) {
	lab := netlab.NewRouted(t, netlab.Subnet{Hosts: 5}, netlab.Subnet{Hosts: 1, Prefix: netip.MustParsePrefix("100.64.9.0/24")})
	vpn := []string{"--allow-net", "100.64.0.0/10"}
	ann := fleet.New(t, lab.Host(1), "Ann")
	bob := fleet.New(t, lab.Host(2), "Bob", vpn...)
	dan := fleet.New(t, lab.Host(3), "Dan")
	// Eve relays for nobody and holds no relay slot; she still reaches Ann
	// through a colleague's relay, round the firewall.
	eve := fleet.New(t, lab.Host(4), "Eve", "--no-relay")
	fay := fleet.New(t, lab.Host(5), "Fay")
	fay.Bin, fay.Env = fleet.BinaryTags(t, "skewclock"), []string{"HALLWAY_TEST_CLOCK_SKEW=1h"}
	val := fleet.New(t, lab.Host(6), "Val", vpn...)
	for _, i := range []int{1, 2} {
		if err := lab.BlockMulticast(i); err != nil {
			t.Fatal(err)
		}
	}
	if err := lab.Blackhole(4, lab.Host(1).IP); err != nil {
		t.Fatal(err)
	}
	ann.CLI("workspace", "create")
	ann.Start()
	code := fleet.Decode[map[string]any](t, ann.CLI("workspace", "invite", "--json"))["invite_code"].(string)
	others := []*fleet.Daemon{bob, dan, eve, fay, val}
	for _, d := range others {
		d.CLI("workspace", "join", code)
	}
	fleet.StartAll(t, others)
	ids := map[string]string{}
	for _, d := range others {
		ids[d.Name] = d.ID()
	}
	fleet.WaitMesh(t, []*fleet.Daemon{ann, bob, dan, fay}, 60*time.Second)
	val.CLI("peers", "add", lab.Host(2).IP.String(), "--yes")
	bob.WaitFor("Val", 30*time.Second, func() bool { return bob.Online(ids["Val"]) })
	bob.CLI("status", "busy") // Bob's next push introduces Val to everyone

	t.Run("multicast blocked", func(t *testing.T) {
		waitCause(t, ann, "Bob", ids["Bob"], chat.CauseMulticastBlocked)
		if diag := fleet.Decode[chat.Diagnosis](t, ann.CLI("doctor", "--json")); diag.Node.Verdict == "" || !diag.Node.MDNSHeard.IsZero() {
			t.Fatalf("Ann's node verdict %q, mDNS heard %v: want multicast named", diag.Node.Verdict, diag.Node.MDNSHeard)
		}
	})
	t.Run("firewall drop", func(t *testing.T) {
		h := waitCause(t, ann, "Eve", ids["Eve"], chat.CauseFirewall)
		// Either Ann's own dial timed out, or Eve reached her first, through
		// a relay: then no dial of Ann's failed, and the relay says enough.
		timedOut := slices.ContainsFunc(h.Attempts, func(a chat.DialAttempt) bool { return a.Outcome == "timed out" })
		if !timedOut && !(h.Online && h.Via == "relay") {
			t.Fatalf("attempts %+v, via %q", h.Attempts, h.Via)
		}
		if diag := fleet.Decode[chat.Diagnosis](t, eve.CLI("doctor", "--json")); len(diag.Node.Relays) != 0 {
			t.Fatalf("Eve runs with --no-relay but holds relay slots with %v", diag.Node.Relays)
		}
	})
	t.Run("clock skew", func(t *testing.T) {
		h := waitCause(t, ann, "Fay", ids["Fay"], chat.CauseClockSkew)
		if h.ClockSkewMs == nil || *h.ClockSkewMs < 59*60*1000 {
			t.Fatalf("skew %v, want about an hour ahead", h.ClockSkewMs)
		}
	})
	t.Run("not allowed range", func(t *testing.T) {
		waitCause(t, ann, "Val", ids["Val"], chat.CauseNotAllowed)
	})
	t.Run("different workspace, then offline", func(t *testing.T) {
		dan.CLI("workspace", "create", "--force")
		waitCause(t, ann, "Dan", ids["Dan"], chat.CauseOtherWorkspace)
		dan.Stop()
		waitCause(t, ann, "Dan", ids["Dan"], chat.CauseOffline)
		out := ann.CLI("doctor", "Dan")
		if len(out) == 0 {
			t.Fatal("doctor Dan printed nothing")
		}
		t.Logf("hallway doctor Dan:\n%s", out)
	})
	t.Logf("hallway doctor:\n%s", ann.CLI("doctor"))
}
