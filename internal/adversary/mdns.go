package adversary

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/miekg/dns"
)

// Announcement is one made-up mDNS answer for Hallway's service: the peer
// id and workspace tag in TXT, at an address and port.
type Announcement struct {
	ID   peer.ID
	Tag  string
	IP   netip.Addr
	Port int
}

const (
	mdnsService = "_hallway._tcp.local."
	mdnsGroup   = "224.0.0.251:5353"
)

// String is the announced address as a multiaddr.
func (a Announcement) String() string {
	return fmt.Sprintf("/ip4/%s/tcp/%d", a.IP, a.Port)
}

// Packet is the DNS response announcing a: PTR, SRV, TXT and A records,
// as a real Hallway answers a browse. The instance name is random, so every
// packet is a new instance to the listener.
func (a Announcement) Packet(instance string) ([]byte, error) {
	name := instance + "." + mdnsService
	host := instance + ".local."
	m := new(dns.Msg)
	m.Response = true
	m.Authoritative = true
	hdr := func(n string, t uint16) dns.RR_Header {
		return dns.RR_Header{Name: n, Rrtype: t, Class: dns.ClassINET, Ttl: 120}
	}
	m.Answer = []dns.RR{
		&dns.PTR{Hdr: hdr(mdnsService, dns.TypePTR), Ptr: name},
		&dns.SRV{Hdr: hdr(name, dns.TypeSRV), Port: uint16(a.Port), Target: host},
		&dns.TXT{Hdr: hdr(name, dns.TypeTXT), Txt: []string{"id=" + a.ID.String(), "ws=" + a.Tag, "v=1"}},
		&dns.A{Hdr: hdr(host, dns.TypeA), A: net.IP(a.IP.AsSlice())},
	}
	return m.Pack()
}

// MDNS sends made-up announcements onto the lab's LAN from inside a
// namespace. It must only ever be used inside network namespaces.
type MDNS struct {
	conn *net.UDPConn
	dst  *net.UDPAddr
}

// NewMDNS opens a multicast sender inside ns on its interface ifname.
func NewMDNS(ns Namespace, ifname string) (*MDNS, error) {
	m := &MDNS{}
	err := ns.Do(func() error {
		if _, err := net.InterfaceByName(ifname); err != nil {
			return err
		}
		dst, err := net.ResolveUDPAddr("udp4", mdnsGroup)
		if err != nil {
			return err
		}
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{})
		if err != nil {
			return err
		}
		m.conn, m.dst = conn, dst
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("adversary: mdns socket: %w", err)
	}
	return m, nil
}

// Send announces a once.
func (m *MDNS) Send(a Announcement) error {
	b, err := a.Packet(randomInstance())
	if err != nil {
		return err
	}
	_, err = m.conn.WriteToUDP(b, m.dst)
	return err
}

// Flood sends perSecond announcements made by next(i) until ctx ends,
// paced in small bursts; it returns how many it sent.
func (m *MDNS) Flood(ctx context.Context, perSecond int, next func(i int) Announcement) int {
	const tick = 10 * time.Millisecond
	per := max(1, perSecond*int(tick)/int(time.Second))
	t := time.NewTicker(tick)
	defer t.Stop()
	sent := 0
	for {
		select {
		case <-ctx.Done():
			return sent
		case <-t.C:
		}
		for range per {
			if m.Send(next(sent)) == nil {
				sent++
			}
		}
	}
}

// Close closes the socket.
func (m *MDNS) Close() error { return m.conn.Close() }

func randomInstance() string {
	b := make([]byte, 10)
	rand.Read(b)
	return "hw-" + hex.EncodeToString(b)
}

// RandomPeers makes n distinct made-up peer ids.
func RandomPeers(n int) []peer.ID {
	out := make([]peer.ID, n)
	for i := range out {
		out[i] = randomPeer()
	}
	return out
}
