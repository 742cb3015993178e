package core

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// addHostWait bounds how long AddPeer by host waits for the colleague's
// name once connected.
const addHostWait = 3 * time.Second

// addHost finds who answers at HOST[:PORT] (an IP or a host name; the port
// defaults to p2p.DefaultPort) and connects to it, without saving it: the
// user sees the name and fingerprint first, and saves the address the
// result names (AddPeer with a full address).
func (s *Service) addHost(ctx context.Context, hostport string) (chat.AddPeerResult, error) {
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return chat.AddPeerResult{}, err
	}
	ips, err := lookupHost(ctx, host)
	if err != nil {
		return chat.AddPeerResult{}, err
	}
	var problems []string
	for _, ip := range ips {
		transport, err := transportAddr(netip.AddrPortFrom(ip, port))
		if err != nil {
			continue
		}
		id, err := s.node.Identify(ctx, transport)
		if err != nil {
			if errors.Is(err, p2p.ErrSelf) {
				return chat.AddPeerResult{}, chat.UserErrorf("%s is this Hallway", hostport)
			}
			problems = append(problems, fmt.Sprintf("%s: %v", transport, err))
			continue
		}
		return s.meet(ctx, id, transport)
	}
	return chat.AddPeerResult{}, chat.UserErrorf("no Hallway of this workspace answers at %s: %s", hostport, strings.Join(problems, "; "))
}

// meet connects to id at transport and reports who it is.
func (s *Service) meet(ctx context.Context, id peer.ID, transport ma.Multiaddr) (chat.AddPeerResult, error) {
	full := transport.Encapsulate(ma.StringCast("/p2p/" + id.String()))
	res := chat.AddPeerResult{PeerID: id.String(), Addr: full.String()}
	if pub, err := id.ExtractPublicKey(); err == nil {
		res.Fingerprint = hcrypto.Fingerprint(pub)
	}
	wctx, cancel := context.WithTimeout(ctx, addHostWait)
	defer cancel()
	events := s.bus.subscribe(wctx)
	if err := s.node.Connect(wctx, id, []ma.Multiaddr{transport}); err != nil {
		res.Problem = err.Error()
		return res, nil
	}
	res.Connected = true
	if c, ok := s.colleagueNamed(ctx, id); ok {
		res.Name = c
		return res, nil
	}
	for e := range events {
		var c chat.Colleague
		switch e := e.(type) {
		case chat.PeerOnline:
			c = e.Peer
		case chat.PeerUpdated:
			c = e.Peer
		}
		if c.PeerID == id.String() && c.Name != "" {
			res.Name = c.Name
			break
		}
	}
	return res, nil
}

// colleagueNamed is id's name as history knows it.
func (s *Service) colleagueNamed(ctx context.Context, id peer.ID) (string, bool) {
	p, ok, err := s.store.Peer(ctx, id.String())
	if err != nil || !ok || p.Name == "" {
		return "", false
	}
	return p.Name, true
}

// splitHostPort reads HOST, HOST:PORT, IPv6 or [IPv6]:PORT.
func splitHostPort(s string) (string, uint16, error) {
	s = strings.TrimSpace(s)
	host, portText := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, portText = h, p
	}
	host = strings.Trim(host, "[]")
	if host == "" {
		return "", 0, chat.UserErrorf("%q names no host: give an IP address or a computer's name, and a port if not %d", s, p2p.DefaultPort)
	}
	port := uint64(p2p.DefaultPort)
	if portText != "" {
		var err error
		if port, err = strconv.ParseUint(portText, 10, 16); err != nil || port == 0 {
			return "", 0, chat.UserErrorf("%q is not a port", portText)
		}
	}
	return host, uint16(port), nil
}

// lookupHost is host's addresses: host itself when it is an IP, else what
// the network's name service says.
func lookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return nil, chat.UserErrorf("cannot find the computer %q on the network: %v", host, err)
	}
	for i := range ips {
		ips[i] = ips[i].Unmap()
	}
	return ips, nil
}
