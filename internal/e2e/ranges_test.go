package e2e

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// TestVPNRangeAndIPv6Subnet: a colleague on a VPN's range (100.64/10, not
// private space) is refused until the range is allowed, by the flag on
// its side and by the workspace policy on everyone else's; two colleagues
// on an IPv6-only subnet find each other by mDNS and talk over IPv6.
func TestVPNRangeAndIPv6Subnet(t *testing.T) {
	lab := netlab.NewRouted(t, netlab.Subnet{Hosts: 2},
		netlab.Subnet{Hosts: 1, Prefix: netip.MustParsePrefix("100.64.9.0/24")},
		netlab.Subnet{Hosts: 2, Prefix: netip.MustParsePrefix("fd00:77:1::/64")})
	ann := fleet.New(t, lab.Host(1), "Ann")
	abe := fleet.New(t, lab.Host(2), "Abe")
	val := fleet.New(t, lab.Host(3), "Val", "--allow-net", "100.64.0.0/10")
	sia := fleet.New(t, lab.Host(4), "Sia")
	sol := fleet.New(t, lab.Host(5), "Sol")
	ann.CLI("workspace", "create")
	ann.Start()
	code := fleet.Decode[map[string]any](t, ann.CLI("workspace", "invite", "--json"))["invite_code"].(string)
	for _, d := range []*fleet.Daemon{abe, val, sia, sol} {
		d.CLI("workspace", "join", code)
	}
	fleet.StartAll(t, []*fleet.Daemon{abe, val, sia, sol})
	fleet.WaitMesh(t, []*fleet.Daemon{ann, abe}, 30*time.Second)

	t.Run("IPv6 only", func(t *testing.T) {
		fleet.WaitMesh(t, []*fleet.Daemon{sia, sol}, 30*time.Second)
		for _, c := range sia.Peers() {
			if c.Name == "Sol" && !slices.ContainsFunc(c.Addrs, func(a string) bool { return strings.HasPrefix(a, "/ip6/"+lab.Host(5).IP.String()+"/") }) {
				t.Fatalf("Sia lists Sol at %v, not at its IPv6 address %s", c.Addrs, lab.Host(5).IP)
			}
		}
		sia.CLI("send", "Sol", "over IPv6", "--wait")
	})

	t.Run("a VPN range only once allowed", func(t *testing.T) {
		annIP := lab.Host(1).IP.String()
		if _, err := val.CLIErr("peers", "add", annIP); err == nil {
			t.Fatal("Ann took Val's connection from a range nobody allowed")
		}
		ann.CLI("policy", "set", "network.allow", "100.64.0.0/10")
		fleet.WaitMesh(t, []*fleet.Daemon{ann, abe, val}, 90*time.Second)
		val.CLI("send", "Abe", "from home over the VPN", "--wait")
	})
}
