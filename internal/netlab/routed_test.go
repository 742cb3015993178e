package netlab_test

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"hallway/internal/netlab"
)

func TestRoutedLabForwardsUnicastOnly(t *testing.T) {
	// Subnet 0: hosts 1, 2. Subnet 1: host 3. Subnet 2 (isolated): 4, 5.
	// Subnet 3, a VPN's range: host 6. Subnets 4 and 5, IPv6 only: 7, 8.
	lab := netlab.NewRouted(t, netlab.Subnet{Hosts: 2}, netlab.Subnet{Hosts: 1}, netlab.Subnet{Hosts: 2, Isolated: true},
		netlab.Subnet{Hosts: 1, Prefix: netip.MustParsePrefix("100.64.9.0/24")},
		netlab.Subnet{Hosts: 1, Prefix: netip.MustParsePrefix("fd00:77:1::/64")},
		netlab.Subnet{Hosts: 1, Prefix: netip.MustParsePrefix("fd00:77:2::/64")})
	if lab.Host(6).IP != netip.MustParseAddr("100.64.9.1") || lab.Host(8).IP != netip.MustParseAddr("fd00:77:2::1") {
		t.Fatalf("hosts 6 and 8 are %v and %v", lab.Host(6).IP, lab.Host(8).IP)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if got := lab.Host(3).IP.As4(); got[2] != 1 || got[3] != 1 || lab.Host(3).Net != 1 {
		t.Fatalf("host 3 is %v on subnet %d, want 10.X.1.1 on 1", lab.Host(3).IP, lab.Host(3).Net)
	}

	reach := func(from, to int) error {
		addr, accepted := listenOn(t, lab.Host(to))
		if err := dialFrom(ctx, lab.Host(from), addr, 2*time.Second); err != nil {
			return err
		}
		select {
		case <-accepted:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, p := range [][2]int{{1, 3}, {3, 1}, {1, 4}, {5, 3}, {1, 2}, {6, 1}, {3, 6}, {7, 8}, {8, 7}} {
		if err := reach(p[0], p[1]); err != nil {
			t.Errorf("host %d cannot reach host %d: %v", p[0], p[1], err)
		}
	}
	if err := reach(4, 5); err == nil {
		t.Error("two isolated hosts reached each other")
	}

	// Multicast from host 1 reaches host 2 on its subnet, and never host 3
	// beyond the router: once host 2 has heard 20 datagrams, host 3 has
	// heard none.
	rx2, rx3 := joinGroup(t, lab.Host(2)), joinGroup(t, lab.Host(3))
	var tx *net.UDPConn
	group := &net.UDPAddr{IP: net.IPv4(239, 255, 77, 1), Port: 5354}
	if err := lab.Host(1).Do(func() (err error) {
		tx, err = net.DialUDP("udp4", nil, group)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	heard := 0
	buf := make([]byte, 64)
	for sent := 0; heard < 20; sent++ {
		if sent > 500 || ctx.Err() != nil {
			t.Fatalf("host 2 heard %d of %d datagrams", heard, sent)
		}
		tx.Write([]byte("mdns-like"))
		rx2.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		if _, _, err := rx2.ReadFromUDP(buf); err == nil {
			heard++
		}
	}
	rx3.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, from, err := rx3.ReadFromUDP(buf); err == nil {
		t.Fatalf("multicast from %v crossed the router", from)
	}

	// A switch that filters multicast to host 2: host 1 keeps sending,
	// host 2 hears nothing more, while unicast still passes.
	if err := lab.BlockMulticast(2); err != nil {
		t.Fatal(err)
	}
	for rx2.SetReadDeadline(time.Now().Add(10 * time.Millisecond)); ; {
		if _, _, err := rx2.ReadFromUDP(buf); err != nil {
			break // drained what was in flight
		}
	}
	for range 50 {
		tx.Write([]byte("filtered"))
	}
	rx2.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, _, err := rx2.ReadFromUDP(buf); err == nil {
		t.Fatal("multicast reached a host whose switch port filters it")
	}
	if err := reach(1, 2); err != nil {
		t.Fatalf("unicast to host 2 stopped with multicast: %v", err)
	}

	// A blackhole on host 3 for host 1: neither reaches the other.
	if err := lab.Blackhole(3, lab.Host(1).IP); err != nil {
		t.Fatal(err)
	}
	if err := reach(1, 3); err == nil {
		t.Fatal("host 1 reached host 3 through its blackhole")
	}
}

// joinGroup listens for 239.255.77.1:5354 on host h's LAN link.
func joinGroup(t *testing.T, h *netlab.Host) *net.UDPConn {
	t.Helper()
	var rx *net.UDPConn
	err := h.Do(func() error {
		ifi, err := net.InterfaceByName(netlab.Link)
		if err != nil {
			return err
		}
		rx, err = net.ListenMulticastUDP("udp4", ifi, &net.UDPAddr{IP: net.IPv4(239, 255, 77, 1), Port: 5354})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rx.Close() })
	return rx
}
