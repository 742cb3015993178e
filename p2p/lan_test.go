package p2p

import (
	"net"
	"net/netip"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"
)

func TestIsLANAddr(t *testing.T) {
	cases := map[string]bool{
		"127.0.0.1": true, "10.1.2.3": true, "172.16.0.1": true, "172.32.0.1": false,
		"192.168.1.5": true, "169.254.3.4": true, "8.8.8.8": false, "100.64.0.1": false,
		"::1": true, "fd00::1": true, "2001:db8::1": false, "::ffff:10.0.0.1": true,
	}
	for s, want := range cases {
		if got := isLANAddr(netip.MustParseAddr(s)); got != want {
			t.Errorf("%s: got %v want %v", s, got, want)
		}
	}
}

func TestFilterAdvertised(t *testing.T) {
	idx := &ifaceIndex{listIfs: func() ([]net.Interface, error) { return nil, nil }}
	idx.byAddr = map[netip.Addr]string{
		netip.MustParseAddr("172.17.0.1"):  "docker0",
		netip.MustParseAddr("10.8.0.2"):    "tun0",
		netip.MustParseAddr("192.168.1.7"): "eth0",
	}
	idx.built = farFuture
	mk := func(ss ...string) []ma.Multiaddr {
		var out []ma.Multiaddr
		for _, s := range ss {
			out = append(out, ma.StringCast(s))
		}
		return out
	}
	got := idx.filterAdvertised(mk("/ip4/127.0.0.1/tcp/1", "/ip4/172.17.0.1/tcp/1", "/ip4/10.8.0.2/tcp/1",
		"/ip4/192.168.1.7/tcp/1", "/ip4/8.8.8.8/tcp/1", "/ip6/fe80::1/tcp/1"))
	if len(got) != 1 || got[0].String() != "/ip4/192.168.1.7/tcp/1" {
		t.Fatalf("got %v", got)
	}
	loopOnly := idx.filterAdvertised(mk("/ip4/127.0.0.1/tcp/1"))
	if len(loopOnly) != 1 {
		t.Fatalf("a loopback-only host must still advertise loopback, got %v", loopOnly)
	}
}

var farFuture = time.Now().Add(time.Hour)

func TestAllowedRangesBeyondTheLAN(t *testing.T) {
	vpn := ma.StringCast("/ip4/100.64.3.9/tcp/4774")
	public := ma.StringCast("/ip4/100.128.0.1/tcp/4774")
	nets := &officeNets{}
	g := lanGater{nets: nets}
	if g.InterceptAddrDial("", vpn) {
		t.Fatal("a VPN address was dialled without being allowed")
	}
	nets.extra.Store(&[]netip.Prefix{netip.MustParsePrefix("100.64.0.0/10")})
	if !g.InterceptAddrDial("", vpn) || g.InterceptAddrDial("", public) {
		t.Fatal("the allowed range is not exactly what is dialled")
	}
	lan := ma.StringCast("/ip4/192.168.1.4/tcp/4774")
	if !g.InterceptAddrDial("", lan) {
		t.Fatal("allowing a range refused the LAN")
	}
	idx := &ifaceIndex{nets: nets, listIfs: func() ([]net.Interface, error) { return nil, nil }}
	got := idx.filterAdvertised([]ma.Multiaddr{vpn, public, lan})
	if len(got) != 2 || !got[0].Equal(vpn) || !got[1].Equal(lan) {
		t.Fatalf("advertised %v", got)
	}
}
