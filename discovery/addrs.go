package discovery

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/grandcat/zeroconf"
	"github.com/multiformats/go-multiaddr"
)

// maxAddrsPerSighting caps how many addresses one announcement can make us
// keep; a hostile packet can carry thousands of A records.
const maxAddrsPerSighting = 8

// entryAddrs turns the addresses of a browse result into dialable TCP
// multiaddrs. Addresses that cannot be dialled from another machine
// (loopback, unspecified, multicast, broadcast) are dropped, and so are
// IPv6 link-local ones, which need a zone that mDNS does not carry.
func entryAddrs(e *zeroconf.ServiceEntry) []multiaddr.Multiaddr {
	var out []multiaddr.Multiaddr
	seen := make(map[netip.Addr]bool)
	add := func(ips []net.IP, proto string) {
		for _, raw := range ips {
			if len(out) == maxAddrsPerSighting {
				return
			}
			ip, ok := netip.AddrFromSlice(raw)
			if !ok {
				continue
			}
			ip = ip.Unmap()
			if seen[ip] || !dialable(ip) || (proto == "ip4") != ip.Is4() {
				continue
			}
			seen[ip] = true
			a, err := multiaddr.NewMultiaddr(fmt.Sprintf("/%s/%s/tcp/%d", proto, ip, e.Port))
			if err != nil {
				continue
			}
			out = append(out, a)
		}
	}
	add(e.AddrIPv4, "ip4")
	add(e.AddrIPv6, "ip6")
	return out
}

func dialable(ip netip.Addr) bool {
	switch {
	case !ip.IsValid(), ip.IsUnspecified(), ip.IsLoopback(), ip.IsMulticast():
		return false
	case ip.Is4() && ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return false
	case ip.Is6() && (ip.IsLinkLocalUnicast() || ip.Zone() != ""):
		return false
	}
	return true
}

// lanInterfaces returns the interfaces to run mDNS on, looked up afresh so
// that addresses and indexes are current. With names nil it is every up,
// multicast-capable interface except loopback; otherwise the named ones that
// still exist and are up.
func lanInterfaces(names []string) ([]net.Interface, error) {
	all, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("discovery: list interfaces: %w", err)
	}
	var out []net.Interface
	for _, ifi := range all {
		if names != nil && !slices.Contains(names, ifi.Name) {
			continue
		}
		if ifi.Flags&net.FlagUp == 0 || ifi.Flags&net.FlagMulticast == 0 || ifi.Flags&net.FlagLoopback != 0 {
			continue
		}
		out = append(out, ifi)
	}
	return out, nil
}

// announceIPs lists the addresses to announce on ifaces: IPv4 and IPv6,
// not loopback, not link-local (169.254/16 is a sign of a missing DHCP
// lease, and an IPv6 link-local address means nothing without its zone),
// IPv4 first.
func announceIPs(ifaces []net.Interface) ([]string, error) {
	var ips []string
	for _, ifi := range ifaces {
		addrs, err := ifi.Addrs()
		if err != nil {
			return nil, fmt.Errorf("discovery: addresses of %s: %w", ifi.Name, err)
		}
		for _, a := range addrs {
			p, err := netip.ParsePrefix(a.String())
			if err != nil {
				continue
			}
			ip := p.Addr().Unmap()
			if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
				continue
			}
			if s := ip.String(); !slices.Contains(ips, s) {
				ips = append(ips, s)
			}
		}
	}
	slices.SortFunc(ips, func(a, b string) int {
		if a4, b4 := !strings.Contains(a, ":"), !strings.Contains(b, ":"); a4 != b4 {
			if a4 {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return ips, nil
}
