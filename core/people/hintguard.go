package people

import (
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Anyone on the LAN can announce a peer over mDNS, and any colleague can
// introduce one, with whatever address they like. Without a guard the
// dialer would knock on a printer, a database or a remote desktop for them,
// as often as they announce. Addresses that come as hints therefore:
//   - never name a port below 1024 (the system services) nor one of
//     blockedHintPorts;
//   - are dialled at most once per host and port every hintAddrInterval,
//     whatever peer id the hint claims.
//
// Addresses the user configured (--peer, peers add) and the last addresses
// of known colleagues are not hints: they are dialled as given.

// blockedHintPorts are well-known services a hint may not steer a dial to.
// 8080 and 8443 stay allowed: they are common for anything at all.
var blockedHintPorts = map[int]string{
	1433: "SQL Server",
	3306: "MySQL",
	3389: "remote desktop",
	5432: "PostgreSQL",
	5900: "VNC",
	6379: "Redis",
	9100: "printer (raw)",
	// 515 (LPD) and 631 (IPP) are below 1024 and refused with the rest.
}

const (
	// hintAddrInterval is how long a host and port dialled for a hint
	// rests before another hint may lead there.
	hintAddrInterval = 5 * time.Second
	// maxHintAddrs bounds how many hosts and ports the guard remembers;
	// when it is full of recent ones, further hints are refused.
	maxHintAddrs = 1024
)

// hintGuard filters the addresses of hints.
type hintGuard struct {
	// mu guards last.
	mu sync.Mutex
	// last is when each host:port was last let through.
	last map[string]time.Time
}

func newHintGuard() *hintGuard { return &hintGuard{last: map[string]time.Time{}} }

// allow returns the addresses of a hint for id that may be dialled now,
// and counts them as dialled. A relay's address (p2p-circuit) leads to the
// relay's host and port for each colleague behind it, so it rests per
// colleague.
func (g *hintGuard) allow(id peer.ID, addrs []ma.Multiaddr) []ma.Multiaddr {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	var out []ma.Multiaddr
	for _, a := range addrs {
		key, ok := hintTarget(a)
		if !ok {
			continue
		}
		if isRelayed(a) {
			key += " for " + id.String()
		}
		if t, seen := g.last[key]; seen && now.Sub(t) < hintAddrInterval {
			continue
		}
		if !g.room(now, key) {
			continue
		}
		g.last[key] = now
		out = append(out, a)
	}
	return out
}

// room makes space for key, forgetting entries that have rested; the
// caller holds g.mu.
func (g *hintGuard) room(now time.Time, key string) bool {
	if _, ok := g.last[key]; ok || len(g.last) < maxHintAddrs {
		return true
	}
	for k, t := range g.last {
		if now.Sub(t) >= hintAddrInterval {
			delete(g.last, k)
		}
	}
	return len(g.last) < maxHintAddrs
}

// hintTarget returns the host:port a hint's address leads to, or false
// when it has none or its port is one a hint may not use.
func hintTarget(a ma.Multiaddr) (string, bool) {
	host := ""
	for _, p := range []int{ma.P_IP4, ma.P_IP6, ma.P_DNS, ma.P_DNS4, ma.P_DNS6} {
		if v, err := a.ValueForProtocol(p); err == nil {
			host = v
			break
		}
	}
	port := ""
	for _, p := range []int{ma.P_TCP, ma.P_UDP} {
		if v, err := a.ValueForProtocol(p); err == nil {
			port = v
			break
		}
	}
	n, err := strconv.Atoi(port)
	if host == "" || err != nil || !hintPortAllowed(n) {
		return "", false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.String()
	}
	return host + " " + strconv.Itoa(n), true
}

// hintPortAllowed reports whether a hint may lead a dial to port.
func hintPortAllowed(port int) bool {
	if port < 1024 || port > 65535 {
		return false
	}
	_, blocked := blockedHintPorts[port]
	return !blocked
}
