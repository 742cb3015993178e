package p2p

import (
	"net"
	"net/netip"
	"strings"
	"sync"
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
		if !ok || !isLANAddr(ip) {
			continue
		}
		if ip.IsLoopback() {
			loop = append(loop, a)
			continue
		}
		if ip.Is6() && ip.IsLinkLocalUnicast() {
			continue
		}
		if isVirtualIface(x.name(ip)) {
			continue
		}
		lan = append(lan, a)
	}
	if len(lan) == 0 {
		return loop
	}
	return lan
}
