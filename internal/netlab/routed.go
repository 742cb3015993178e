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
	// Prefix, when set, is the subnet's address range instead of
	// 10.X.K.0/24: an IPv4 /24 (say a VPN's 100.64.K.0/24), or an IPv6
	// /64 (unique local fdXX::/64), which makes the subnet IPv6 only.
	Prefix netip.Prefix
}

// prefix is subnet k's address range.
func (l *Lab) prefix(nets []Subnet, k int) netip.Prefix {
	if nets[k].Prefix.IsValid() {
		return nets[k].Prefix.Masked()
	}
	ip := l.Subnet.Addr().As4()
	ip[2] = byte(k)
	return netip.PrefixFrom(netip.AddrFrom4(ip), 24)
}

// nth is address n of prefix p (the last byte set to n).
func nth(p netip.Prefix, n int) netip.Addr {
	b := p.Addr().AsSlice()
	b[len(b)-1] = byte(n)
	a, _ := netip.AddrFromSlice(b)
	return a
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
		if p := n.Prefix; p.IsValid() && !(p.Addr().Is4() && p.Bits() == 24) && !(p.Addr().Is6() && p.Bits() == 64) {
			return nil, fmt.Errorf("netlab: subnet %s: want an IPv4 /24 or an IPv6 /64", p)
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
		l.gateways = append(l.gateways, gateway(l.prefix(nets, k)))
		for j := 1; j <= n.Hosts; j++ {
			i := len(l.Hosts) + 1
			l.Hosts = append(l.Hosts, &Host{Index: i, NS: fmt.Sprintf("%s%d", l.Prefix, i), IP: nth(l.prefix(nets, k), j), Net: k})
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

// Gateway is the router's address on subnet k: its .254 (IPv4) or ::fe.
func (l *Lab) Gateway(k int) netip.Prefix { return l.gateways[k] }

func gateway(p netip.Prefix) netip.Prefix {
	n := 254
	if p.Addr().Is6() {
		n = 0xfe
	}
	return netip.PrefixFrom(nth(p, n), p.Bits())
}

// routedHost is the iproute2 batch that sets host h up on its subnet.
func (l *Lab) routedHost(h *Host, nets []Subnet) string {
	gw := l.Gateway(h.Net)
	if gw.Addr().Is6() {
		// nodad: the address is usable at once, not after duplicate
		// address detection.
		return fmt.Sprintf("link set lo up\n"+
			"link set %s multicast on\n"+
			"link set %s up\n"+
			"addr add %s/%d dev %s nodad\n"+
			"route add default via %s\n",
			Link, Link, h.IP, gw.Bits(), Link, gw.Addr())
	}
	return fmt.Sprintf("link set lo up\n"+
		"addr add %s/%d dev %s\n"+
		"link set %s multicast on\n"+
		"link set %s up\n"+
		"route add 224.0.0.0/4 dev %s\n"+
		"route add default via %s\n",
		h.IP, gw.Bits(), Link, Link, Link, Link, gw.Addr())
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
		nodad := ""
		if l.Gateway(k).Addr().Is6() {
			nodad = " nodad"
		}
		fmt.Fprintf(&b, "addr add %s dev net%d%s\n", l.Gateway(k), k, nodad)
		fmt.Fprintf(&b, "link set net%d up\n", k)
	}
	if err := ip(ctx, b.String(), "-n", l.Router, "-batch", "-"); err != nil {
		return err
	}
	if err := l.sysctl(ctx, l.Router, "net.ipv6.conf.all.forwarding=1"); err != nil {
		return err
	}
	return l.sysctl(ctx, l.Router, "net.ipv4.ip_forward=1")
}

// hostNames are the namespaces of the lab's hosts.
func (l *Lab) hostNames() []string {
	out := make([]string, 0, len(l.Hosts))
	for _, h := range l.Hosts {
		out = append(out, h.NS)
	}
	return out
}

// noDAD turns IPv6 duplicate address detection off in namespace ns, for
// links made after: their link-local addresses, which neighbour discovery
// speaks from, are usable at once.
func (l *Lab) noDAD(ctx context.Context, ns string) error {
	for _, s := range []string{"net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"} {
		if err := l.sysctl(ctx, ns, s); err != nil {
			return err
		}
	}
	return nil
}

// sysctl sets a kernel setting inside namespace ns.
func (l *Lab) sysctl(ctx context.Context, ns, setting string) error {
	return ip(ctx, "", "netns", "exec", ns, "sysctl", "-q", "-w", setting)
}
