package netlab

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// A routed lab is an office of several subnets (floors, wired desks and
// Wi-Fi, VLANs), each a bridge of its own, joined by a router namespace
// that forwards unicast between them and, like office routers, no
// multicast: mDNS stays inside each subnet. Subnet K is 10.X.K.0/24; the
// router is 10.X.K.254 on it and every host's default gateway.

// Subnet describes one subnet of a routed lab.
type Subnet struct {
	// Hosts on the subnet, at 10.X.K.1 up.
	Hosts int
	// Isolated hosts cannot reach each other, only the router, as on a
	// Wi-Fi with client isolation: neither unicast nor multicast passes
	// between them.
	Isolated bool
}

// NewRouted builds a routed lab for a test and removes it when the test
// ends; hosts are numbered across subnets in order. It skips t when
// namespaces cannot be made here.
func NewRouted(t testing.TB, nets ...Subnet) *Lab {
	t.Helper()
	return forTest(t, func() (*Lab, error) { return NewRoutedLab(nets...) })
}

// NewRoutedLab builds a routed lab; the caller must call Down.
func NewRoutedLab(nets ...Subnet) (*Lab, error) {
	total := 0
	for _, n := range nets {
		if n.Hosts < 1 || n.Hosts > 250 {
			return nil, fmt.Errorf("netlab: a subnet of %d hosts: want 1..250", n.Hosts)
		}
		total += n.Hosts
	}
	if len(nets) < 1 || len(nets) > 16 || total > MaxHosts {
		return nil, fmt.Errorf("netlab: %d subnets of %d hosts: want 1..16 subnets, at most %d hosts", len(nets), total, MaxHosts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	l, err := claim(ctx)
	if err != nil {
		return nil, err
	}
	l.Router = l.Prefix + "rt"
	for k, n := range nets {
		for j := 1; j <= n.Hosts; j++ {
			ip := l.Subnet.Addr().As4()
			ip[2], ip[3] = byte(k), byte(j)
			i := len(l.Hosts) + 1
			l.Hosts = append(l.Hosts, &Host{Index: i, NS: fmt.Sprintf("%s%d", l.Prefix, i), IP: netip.AddrFrom4(ip), Net: k})
		}
	}
	if err := l.build(ctx, nets); err != nil {
		if derr := l.Down(); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, fmt.Errorf("netlab: build %s: %w", l.Prefix, err)
	}
	return l, nil
}

// Gateway is the router's address on subnet k.
func (l *Lab) Gateway(k int) netip.Addr {
	ip := l.Subnet.Addr().As4()
	ip[2], ip[3] = byte(k), 254
	return netip.AddrFrom4(ip)
}

// routerLinks adds to the switch's batch the router's port on each
// subnet, and isolates the host ports of isolated subnets.
func (l *Lab) routerLinks(sw *strings.Builder, nets []Subnet) {
	for k := range nets {
		fmt.Fprintf(sw, "link add r%d type veth peer name net%d netns %s\n", k, k, l.Router)
		fmt.Fprintf(sw, "link set r%d master br%d\n", k, k)
		fmt.Fprintf(sw, "link set r%d up\n", k)
	}
	for _, h := range l.Hosts {
		if nets[h.Net].Isolated {
			fmt.Fprintf(sw, "link set dev p%d type bridge_slave isolated on\n", h.Index)
		}
	}
}

// buildRouter addresses the router's links and turns forwarding on. It
// runs no multicast routing, so no mDNS crosses it.
func (l *Lab) buildRouter(ctx context.Context, nets []Subnet) error {
	var b strings.Builder
	b.WriteString("link set lo up\n")
	for k := range nets {
		fmt.Fprintf(&b, "addr add %s/24 dev net%d\n", l.Gateway(k), k)
		fmt.Fprintf(&b, "link set net%d up\n", k)
	}
	if err := ip(ctx, b.String(), "-n", l.Router, "-batch", "-"); err != nil {
		return err
	}
	return l.sysctl(ctx, l.Router, "net.ipv4.ip_forward=1")
}

// sysctl sets a kernel setting inside namespace ns.
func (l *Lab) sysctl(ctx context.Context, ns, setting string) error {
	return ip(ctx, "", "netns", "exec", ns, "sysctl", "-q", "-w", setting)
}
