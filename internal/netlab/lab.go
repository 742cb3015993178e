// Package netlab builds a small office LAN out of Linux network namespaces so
// that tests and benchmarks can run real peers, real TCP and real multicast
// (mDNS) side by side on one machine without a packet reaching the machine's
// own network.
//
// A Lab is hosts PREFIX1..PREFIXn, each with one interface eth0 = 10.X.0.i/24,
// all plugged into one bridge that lives in its own namespace PREFIXsw. The
// root namespace gains nothing but the namespace names. Cut and Heal unplug
// and replug a host's bridge port, which is how partitions are simulated.
//
// netlab limits traffic only by rate (Shape: no delay, no loss), does not route between
// labs or to the outside, and does not own processes started with
// Host.Command: callers stop those before Down. It needs root and iproute2;
// New skips the test with the reason when they are missing.
package netlab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
)

// MaxHosts bounds a lab: host addresses are 10.X.0.1 to 10.X.0.MaxHosts.
const MaxHosts = 200

// Link is the name of every host's single LAN interface.
const Link = "eth0"

// Lab is a small LAN made of network namespaces. Its exported fields are
// fixed once NewLab returns; do not modify them.
type Lab struct {
	// Prefix starts the name of every namespace of the lab.
	Prefix string
	// Switch is the namespace holding the bridge br0 and the ports p1..pN.
	Switch string
	// Subnet is 10.X.0.0/24, distinct among the labs alive in this process;
	// a routed lab's subnet K is 10.X.K.0/24 (routed.go).
	Subnet netip.Prefix
	// Router is the namespace routing between the subnets of a routed lab;
	// "" in a lab of one subnet.
	Router string
	// Hosts[i-1] is host i.
	Hosts []*Host

	gateways []netip.Prefix // a routed lab's router address on each subnet

	mu   sync.Mutex // guards gone
	gone bool
}

// Host is one machine of a Lab.
type Host struct {
	Index int        // 1-based position in the lab
	NS    string     // network namespace name, Lab.Prefix + Index
	IP    netip.Addr // 10.X.0.Index, on Link; 10.X.S.K in routed labs
	// Net is the 0-based subnet the host is on (always 0 but in routed
	// labs, routed.go).
	Net int
}

// New builds a lab of n hosts for a test and removes it when the test ends.
// It skips t when namespaces cannot be made here (not root, no iproute2).
func New(t testing.TB, n int) *Lab {
	t.Helper()
	return forTest(t, func() (*Lab, error) { return NewLab(n) })
}

// forTest builds a lab with build for t, skipping t when namespaces
// cannot be made here, and removes the lab when t ends.
func forTest(t testing.TB, build func() (*Lab, error)) *Lab {
	t.Helper()
	if err := Available(); err != nil {
		t.Skipf("netlab: skipping, no network namespaces here: %v", err)
	}
	l, err := build()
	if err != nil {
		t.Fatalf("netlab: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Down(); err != nil {
			t.Errorf("netlab: %v", err)
		}
	})
	return l
}

// NewLab builds a lab of n hosts; the caller must call Down. On error
// nothing of the lab is left behind.
func NewLab(n int) (*Lab, error) {
	if n < 1 || n > MaxHosts {
		return nil, fmt.Errorf("netlab: %d hosts: want 1..%d", n, MaxHosts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	l, err := claim(ctx)
	if err != nil {
		return nil, err
	}
	for i := 1; i <= n; i++ {
		ip := l.Subnet.Addr().As4()
		ip[3] = byte(i)
		l.Hosts = append(l.Hosts, &Host{Index: i, NS: fmt.Sprintf("%s%d", l.Prefix, i), IP: netip.AddrFrom4(ip)})
	}
	if err := l.build(ctx, nil); err != nil {
		if derr := l.Down(); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, fmt.Errorf("netlab: build %s: %w", l.Prefix, err)
	}
	return l, nil
}

// claim reserves a prefix and subnet by creating the switch namespace:
// creating a namespace name is atomic, so two labs, in this process or in
// another, can never end up with the same names. The prefix is fixed width,
// so no host name of one lab can equal a name of another lab.
func claim(ctx context.Context) (*Lab, error) {
	pid := os.Getpid() % 1000
	start := rand.IntN(254)
	for k := range 254 {
		octet := 1 + (start+k)%254
		prefix := fmt.Sprintf("hwt%03dx%03d", pid, octet)
		sw := prefix + "sw"
		err := ip(ctx, "", "netns", "add", sw)
		if err == nil {
			return &Lab{
				Prefix: prefix,
				Switch: sw,
				Subnet: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(octet), 0, 0}), 24),
			}, nil
		}
		names, lerr := namespaces(ctx)
		if lerr != nil {
			return nil, fmt.Errorf("netlab: %w", errors.Join(err, lerr))
		}
		if !slices.Contains(names, sw) {
			return nil, fmt.Errorf("netlab: %w", err)
		}
	}
	return nil, errors.New("netlab: every subnet 10.1-254.0.0/24 is in use by labs of this process id")
}

// build makes the namespaces, the switch and the hosts' links; with nets
// (a routed lab), one bridge per subnet and the router.
func (l *Lab) build(ctx context.Context, nets []Subnet) error {
	var add strings.Builder
	for _, h := range l.Hosts {
		fmt.Fprintf(&add, "netns add %s\n", h.NS)
	}
	if err := ip(ctx, add.String(), "-batch", "-"); err != nil {
		return err
	}

	// The switch forwards multicast to every port at once: with IGMP
	// snooping a tiny bridge without a querier drops or delays mDNS.
	var sw strings.Builder
	sw.WriteString("link set lo up\n")
	for k := range max(1, len(nets)) {
		fmt.Fprintf(&sw, "link add br%d type bridge forward_delay 0 mcast_snooping 0\n", k)
		fmt.Fprintf(&sw, "link set br%d up\n", k)
	}
	for _, h := range l.Hosts {
		fmt.Fprintf(&sw, "link add p%d type veth peer name %s netns %s\n", h.Index, Link, h.NS)
		fmt.Fprintf(&sw, "link set p%d master br%d\n", h.Index, h.Net)
		fmt.Fprintf(&sw, "link set p%d up\n", h.Index)
	}
	if len(nets) > 0 {
		if err := ip(ctx, fmt.Sprintf("netns add %s\n", l.Router), "-batch", "-"); err != nil {
			return err
		}
		// Before any link exists, so that none waits for duplicate
		// address detection.
		for _, ns := range append([]string{l.Router}, l.hostNames()...) {
			if err := l.noDAD(ctx, ns); err != nil {
				return err
			}
		}
		l.routerLinks(&sw, nets)
	}
	if err := ip(ctx, sw.String(), "-n", l.Switch, "-batch", "-"); err != nil {
		return err
	}
	if len(nets) > 0 {
		if err := l.buildRouter(ctx, nets); err != nil {
			return err
		}
	}

	for _, h := range l.Hosts {
		// The multicast route makes 224.0.0.0/4 leave by eth0 even for
		// sockets that do not pick an interface.
		cmds := fmt.Sprintf("link set lo up\n"+
			"addr add %s/%d dev %s\n"+
			"link set %s multicast on\n"+
			"link set %s up\n"+
			"route add 224.0.0.0/4 dev %s\n",
			h.IP, l.Subnet.Bits(), Link, Link, Link, Link)
		if len(nets) > 0 {
			cmds = l.routedHost(h, nets)
		}
		if err := ip(ctx, cmds, "-n", h.NS, "-batch", "-"); err != nil {
			return err
		}
	}
	return nil
}

// Host returns host i (1-based). It panics when i is out of range, like an
// index into Hosts would.
func (l *Lab) Host(i int) *Host {
	if i < 1 || i > len(l.Hosts) {
		panic(fmt.Sprintf("netlab: host %d of a lab of %d", i, len(l.Hosts)))
	}
	return l.Hosts[i-1]
}

// Cut unplugs host i from the switch: its eth0 stays configured but loses
// carrier, as when a cable is pulled.
func (l *Lab) Cut(i int) error { return l.port(i, "down") }

// Heal plugs host i back into the switch.
func (l *Lab) Heal(i int) error { return l.port(i, "up") }

func (l *Lab) port(i int, state string) error {
	if i < 1 || i > len(l.Hosts) {
		return fmt.Errorf("netlab: host %d of a lab of %d", i, len(l.Hosts))
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	if err := ip(ctx, "", "-n", l.Switch, "link", "set", fmt.Sprintf("p%d", i), state); err != nil {
		return fmt.Errorf("netlab: set port of host %d %s: %w", i, state, err)
	}
	return nil
}

// Down removes every namespace of the lab; veth pairs and the bridge go with
// them. It is idempotent and reports any namespace it could not remove.
func (l *Lab) Down() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.gone {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	names, err := l.namespaces(ctx)
	if err != nil {
		return fmt.Errorf("netlab: down %s: %w", l.Prefix, err)
	}
	// The switch goes last: while its name exists the prefix stays claimed.
	slices.SortFunc(names, func(a, b string) int {
		if (a == l.Switch) != (b == l.Switch) {
			if a == l.Switch {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	var del strings.Builder
	for _, name := range names {
		fmt.Fprintf(&del, "netns del %s\n", name)
	}
	delErr := error(nil)
	if del.Len() > 0 {
		delErr = ip(ctx, del.String(), "-force", "-batch", "-")
	}
	left, err := l.namespaces(ctx)
	if err != nil {
		return fmt.Errorf("netlab: down %s: %w", l.Prefix, errors.Join(delErr, err))
	}
	if len(left) > 0 {
		return fmt.Errorf("netlab: down %s: namespaces left %v: %w", l.Prefix, left, delErr)
	}
	l.gone = true
	return nil
}

// namespaces lists the existing namespaces of this lab.
func (l *Lab) namespaces(ctx context.Context) ([]string, error) {
	all, err := namespaces(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(n string) bool { return !strings.HasPrefix(n, l.Prefix) }), nil
}

// Shape limits the rate of the traffic the switch sends to host i (what
// host i downloads) with a token bucket, e.g. rate "400mbit". It only
// slows traffic down; it adds no loss and no fixed delay.
func (l *Lab) Shape(i int, rate string) error {
	if i < 1 || i > len(l.Hosts) {
		return fmt.Errorf("netlab: host %d of a lab of %d", i, len(l.Hosts))
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "tc", "-n", l.Switch, "qdisc", "replace", "dev", fmt.Sprintf("p%d", i),
		"root", "tbf", "rate", rate, "burst", "256kb", "latency", "200ms").CombinedOutput()
	if err != nil {
		return fmt.Errorf("netlab: shape host %d to %s: %w: %s", i, rate, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Unshape removes the limit Shape set on host i.
func (l *Lab) Unshape(i int) error {
	if i < 1 || i > len(l.Hosts) {
		return fmt.Errorf("netlab: host %d of a lab of %d", i, len(l.Hosts))
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "tc", "-n", l.Switch, "qdisc", "del", "dev", fmt.Sprintf("p%d", i), "root").CombinedOutput()
	if err != nil {
		return fmt.Errorf("netlab: unshape host %d: %w: %s", i, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// BlockMulticast stops the switch from passing multicast (mDNS included)
// to host i, as a network that filters multicast does; unicast still
// passes, and host i's own multicast still reaches the others.
func (l *Lab) BlockMulticast(i int) error {
	if i < 1 || i > len(l.Hosts) {
		return fmt.Errorf("netlab: host %d of a lab of %d", i, len(l.Hosts))
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	port := fmt.Sprintf("p%d", i)
	if err := ip(ctx, "", "-n", l.Switch, "link", "set", "dev", port, "type", "bridge_slave", "mcast_flood", "off", "bcast_flood", "on"); err != nil {
		return fmt.Errorf("netlab: block multicast to host %d: %w", i, err)
	}
	return nil
}

// Blackhole makes host i drop everything it sends to ip, as a firewall
// that drops a colleague's packets does: that colleague's dials to host
// i time out (host i's answers never leave), and host i's to it too.
func (l *Lab) Blackhole(i int, to netip.Addr) error {
	if i < 1 || i > len(l.Hosts) {
		return fmt.Errorf("netlab: host %d of a lab of %d", i, len(l.Hosts))
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	if err := ip(ctx, "", "-n", l.Hosts[i-1].NS, "route", "add", "blackhole", netip.PrefixFrom(to, to.BitLen()).String()); err != nil {
		return fmt.Errorf("netlab: blackhole %s on host %d: %w", to, i, err)
	}
	return nil
}
