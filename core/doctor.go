package core

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"hallway/chat"
	"hallway/core/people"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Doctor says why colleagues are or are not reachable: this node's side
// (interfaces, subnets, mDNS, relays) and, for each colleague (or the one
// ref names), how it was last seen, what each address did at the last
// dial, the clock difference, and a one-line verdict with the fix.
func (s *Service) Doctor(ctx context.Context, ref string) (chat.Diagnosis, error) {
	var d chat.Diagnosis
	var subnets []netip.Prefix
	d.Node, subnets = s.nodeHealth(ctx)
	colleagues, err := s.colleagues.Peers(ctx)
	if err != nil {
		return d, err
	}
	// Peers heard of (an introduction, mDNS) but never connected are not
	// in the directory; they may be exactly the ones asked about.
	for _, id := range s.dial.Heard() {
		if id != s.node.ID() && !slices.ContainsFunc(colleagues, func(c chat.Colleague) bool { return c.PeerID == id.String() }) {
			colleagues = append(colleagues, chat.Colleague{PeerID: id.String(), Name: shortID(id), Blocked: s.blocks.IsBlocked(id)})
		}
	}
	slices.SortFunc(colleagues, func(a, b chat.Colleague) int { return strings.Compare(a.Name, b.Name) })
	if ref != "" {
		id, err := s.colleagues.Resolve(ctx, ref)
		if err != nil {
			return d, err
		}
		colleagues = slices.DeleteFunc(colleagues, func(c chat.Colleague) bool { return c.PeerID != id.String() })
	}
	d.Colleagues = []chat.ColleagueHealth{}
	for _, c := range colleagues {
		d.Colleagues = append(d.Colleagues, s.colleagueHealth(ctx, c, subnets, d.Node.MDNS))
	}
	return d, nil
}

// colleagueHealth is one colleague's reachability and verdict.
func (s *Service) colleagueHealth(ctx context.Context, c chat.Colleague, subnets []netip.Prefix, mdnsOn bool) chat.ColleagueHealth {
	id, _ := peer.Decode(c.PeerID)
	rep := s.dial.Report(id)
	h := chat.ColleagueHealth{PeerID: c.PeerID, Name: c.Name, Online: c.Online, Via: c.Via, Seen: rep.Seen,
		LastSeen: c.LastSeen, AttemptAt: rep.AttemptAt}
	if c.Relay != "" {
		if rid, err := peer.Decode(c.Relay); err == nil {
			h.Relay = s.colleague(ctx, rid).Name
		}
	}
	for _, a := range rep.Attempts {
		h.Attempts = append(h.Attempts, chat.DialAttempt{Addr: a.Addr, Outcome: a.Outcome, Detail: a.Detail})
	}
	skew, known := s.presence.ClockSkew(id)
	if known {
		ms := skew.Milliseconds()
		h.ClockSkewMs = &ms
	}
	h.Cause, h.Verdict = people.Verdict(people.Reach{
		Name: c.Name, Online: c.Online, Via: c.Via, RelayName: h.Relay, Blocked: c.Blocked,
		SameSubnet: onSubnets(c.Addrs, subnets), MDNSOn: mdnsOn, Seen: rep.Seen, LastSeen: c.LastSeen,
		Attempts: rep.Attempts, Skew: skew, SkewKnown: known, Port: s.listenPort(),
	})
	return h
}

// nodeHealth is this node's side, and the subnets it is on.
func (s *Service) nodeHealth(ctx context.Context) (chat.NodeHealth, []netip.Prefix) {
	n := chat.NodeHealth{Relays: []string{}, Subnets: []string{}, Interfaces: []chat.InterfaceHealth{}}
	var heard time.Time
	var mdnsIfs []string
	n.MDNS, heard, mdnsIfs = s.intake.MDNS()
	n.MDNSHeard = heard
	if s.node != nil {
		for _, a := range s.node.Addrs() {
			n.Addrs = append(n.Addrs, a.String())
		}
		for _, r := range s.node.Relays() {
			n.Relays = append(n.Relays, s.colleague(ctx, r).Name)
		}
	}
	for _, p := range s.allowNets() {
		n.AllowNets = append(n.AllowNets, p.String())
	}
	var subnets []netip.Prefix
	ifs, _ := net.Interfaces()
	for _, ifi := range ifs {
		ih := chat.InterfaceHealth{Name: ifi.Name, Up: ifi.Flags&net.FlagUp != 0, Multicast: ifi.Flags&net.FlagMulticast != 0,
			MDNS: slices.Contains(mdnsIfs, ifi.Name), Addrs: []string{}}
		addrs, _ := ifi.Addrs()
		for _, a := range addrs {
			p, err := netip.ParsePrefix(a.String())
			if err != nil {
				continue
			}
			ih.Addrs = append(ih.Addrs, p.String())
			if ifi.Flags&net.FlagLoopback == 0 && !p.Addr().IsLinkLocalUnicast() {
				subnets = append(subnets, p.Masked())
				n.Subnets = append(n.Subnets, p.Masked().String())
			}
		}
		n.Interfaces = append(n.Interfaces, ih)
	}
	switch {
	case !n.MDNS:
		n.Verdict = "mDNS is off: only colleagues with a saved address, an introduction or an invite code's address are found."
	case len(mdnsIfs) == 0:
		n.Verdict = "mDNS runs on no interface: none is up with multicast on."
	case heard.IsZero() && s.node != nil && len(s.node.ConnectedPeers()) > 0:
		n.Verdict = "mDNS has heard no other Hallway since the start, although colleagues are connected: this network blocks multicast."
	}
	return n, subnets
}

// onSubnets reports whether any of addrs is on one of subnets.
func onSubnets(addrs []string, subnets []netip.Prefix) bool {
	for _, s := range addrs {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			continue
		}
		if _, err := a.ValueForProtocol(ma.P_CIRCUIT); err == nil {
			continue
		}
		for _, proto := range []int{ma.P_IP4, ma.P_IP6} {
			v, err := a.ValueForProtocol(proto)
			if err != nil {
				continue
			}
			if ip, err := netip.ParseAddr(v); err == nil && slices.ContainsFunc(subnets, func(p netip.Prefix) bool { return p.Contains(ip) }) {
				return true
			}
		}
	}
	return false
}

// shortID names a peer known by its key alone: 12D3KooW…and its last six.
func shortID(id peer.ID) string {
	s := id.String()
	if len(s) <= 16 {
		return s
	}
	return s[:8] + "…" + s[len(s)-6:]
}

// listenPort is the TCP port colleagues reach us on.
func (s *Service) listenPort() int {
	if s.node == nil {
		return p2p.DefaultPort
	}
	return s.node.ListenPort()
}
