package p2p

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// isLANAddr reports whether ip may be a colleague on the office network:
// loopback, RFC 1918 / ULA private space, or link-local IPv4 (zero-conf
// networks without DHCP). Everything else, public space and carrier-grade NAT
// ranges that VPN products use included, is refused.
func isLANAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return false
	case ip.IsLoopback(), ip.IsPrivate():
		return true
	case ip.Is4() && ip.IsLinkLocalUnicast():
		return true
	}
	return false
}

// officeNets is what a node counts as the office network: the LAN's
// private ranges (isLANAddr), and the ranges allowed beyond them, by the
// user (Config.AllowNets) or the workspace policy (Node.SetAllowNets).
// The gater, the address filter and every dial share one.
type officeNets struct {
	extra atomic.Pointer[[]netip.Prefix]
	// shared are the ranges the whole workspace allows (its policy's),
	// which this node relays for; a node's own ranges are for its own
	// connections alone.
	shared atomic.Pointer[[]netip.Prefix]
}

// relays reports whether this node may relay for a colleague at ip: the
// LAN's private ranges and the workspace's.
func (o *officeNets) relays(ip netip.Addr) bool {
	return isLANAddr(ip) || (o != nil && inRanges(&o.shared, ip))
}

// inRanges reports whether ip is in one of the ranges rs holds.
func inRanges(rs *atomic.Pointer[[]netip.Prefix], ip netip.Addr) bool {
	if p := rs.Load(); p != nil {
		for _, r := range *p {
			if r.Contains(ip.Unmap()) {
				return true
			}
		}
	}
	return false
}

// allows reports whether ip may be a colleague's.
func (o *officeNets) allows(ip netip.Addr) bool {
	return isLANAddr(ip) || o.extraAllows(ip)
}

// extraAllows reports whether ip is in a range allowed beyond the LAN.
func (o *officeNets) extraAllows(ip netip.Addr) bool {
	return o != nil && inRanges(&o.extra, ip)
}

// allowsAddr reports whether a's IP (a relay's, for a circuit) may be a
// colleague's.
func (o *officeNets) allowsAddr(a ma.Multiaddr) bool {
	ip, ok := multiaddrIP(a)
	return ok && o.allows(ip)
}

// allowsOwnAddr reports whether a is a colleague's own address (not a
// circuit through a relay) on an allowed network: one worth dialing
// directly or offering as a relay's way in.
func (o *officeNets) allowsOwnAddr(a ma.Multiaddr) bool {
	return !isCircuit(a) && o.allowsAddr(a)
}

// SetAllowNets replaces the ranges allowed beyond the LAN: own, the
// node's own (dialled and accepted), and workspace, the workspace's
// (also relayed for colleagues). Connections already open stay.
func (n *Node) SetAllowNets(own, workspace []netip.Prefix) {
	all := slices.Concat(own, workspace)
	shared := slices.Clone(workspace)
	n.nets.extra.Store(&all)
	n.nets.shared.Store(&shared)
}

// multiaddrIP extracts the IP of a TCP/IP multiaddr.
func multiaddrIP(a ma.Multiaddr) (netip.Addr, bool) {
	ip, err := manet.ToIP(a)
	if err != nil {
		return netip.Addr{}, false
	}
	addr, ok := netip.AddrFromSlice(ip)
	return addr.Unmap(), ok
}

// virtualIfacePrefixes name interfaces whose addresses mean nothing to a
// colleague's machine: container bridges, VPN tunnels, hypervisor networks.
var virtualIfacePrefixes = []string{
	"docker", "br-", "veth", "virbr", "vboxnet", "vmnet", "tun", "tap", "wg",
	"tailscale", "zt", "utun", "cni", "flannel", "cali", "lxc", "lxd", "podman",
}

func isVirtualIface(name string) bool {
	for _, p := range virtualIfacePrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// ifaceIndex maps local addresses to interface names, refreshed at most every
// few seconds because the address factory runs on every identify exchange.
type ifaceIndex struct {
	mu      sync.Mutex // guards built and byAddr
	built   time.Time
	byAddr  map[netip.Addr]string
	listIfs func() ([]net.Interface, error)
	nets    *officeNets
}

func (x *ifaceIndex) name(ip netip.Addr) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.byAddr == nil || time.Since(x.built) > 5*time.Second {
		x.byAddr = map[netip.Addr]string{}
		x.built = time.Now()
		list := x.listIfs
		if list == nil {
			list = net.Interfaces
		}
		ifs, err := list()
		if err == nil {
			for _, ifc := range ifs {
				addrs, err := ifc.Addrs()
				if err != nil {
					continue
				}
				for _, a := range addrs {
					if p, err := netip.ParsePrefix(a.String()); err == nil {
						x.byAddr[p.Addr().Unmap()] = ifc.Name
					}
				}
			}
		}
	}
	return x.byAddr[ip]
}

// filterAdvertised keeps the addresses a colleague can dial: LAN addresses on
// real interfaces. Loopback is advertised only when the host listens on
// nothing else (single-machine set-ups and tests), and IPv6 link-local never,
// since it is useless without a zone.
func (x *ifaceIndex) filterAdvertised(addrs []ma.Multiaddr) []ma.Multiaddr {
	var lan, loop []ma.Multiaddr
	for _, a := range addrs {
		ip, ok := multiaddrIP(a)
		if !ok || !x.nets.allows(ip) {
			continue
		}
		if ip.IsLoopback() {
			loop = append(loop, a)
			continue
		}
		if ip.Is6() && ip.IsLinkLocalUnicast() {
			continue
		}
		if isVirtualIface(x.name(ip)) && !x.nets.extraAllows(ip) {
			continue // a VPN's address counts only in an allowed range
		}
		lan = append(lan, a)
	}
	if len(lan) == 0 {
		return loop
	}
	return lan
}
