package netlab_test

import (
	"context"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"hallway/internal/netlab"
)

// dialFrom dials addr from inside host h with the given per-attempt timeout.
func dialFrom(ctx context.Context, h *netlab.Host, addr string, timeout time.Duration) error {
	return h.Do(func() error {
		d := net.Dialer{Timeout: timeout}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return c.Close()
	})
}

// listenOn starts a TCP listener inside host h that accepts and closes
// connections, reporting each on the returned channel.
func listenOn(t *testing.T, h *netlab.Host) (string, <-chan struct{}) {
	t.Helper()
	var ln net.Listener
	err := h.Do(func() (err error) {
		ln, err = net.Listen("tcp", netip.AddrPortFrom(h.IP, 0).String())
		return err
	})
	if err != nil {
		t.Fatalf("listen in %s: %v", h.NS, err)
	}
	accepted := make(chan struct{}, 64)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			c, err := ln.Accept()
			if err != nil {
				return // the listener was closed by the cleanup below
			}
			c.Close()
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-stopped
	})
	return ln.Addr().String(), accepted
}

func TestTCPAcrossCutAndHeal(t *testing.T) {
	lab := netlab.New(t, 3)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	addr, accepted := listenOn(t, lab.Host(2))
	if err := dialFrom(ctx, lab.Host(1), addr, 2*time.Second); err != nil {
		t.Fatalf("dial %s from host 1: %v", addr, err)
	}
	select {
	case <-accepted:
	case <-ctx.Done():
		t.Fatal("host 2 never accepted the connection")
	}

	if err := lab.Cut(2); err != nil {
		t.Fatal(err)
	}
	if err := dialFrom(ctx, lab.Host(1), addr, 300*time.Millisecond); err == nil {
		t.Fatal("dial to a cut host succeeded")
	}

	if err := lab.Heal(2); err != nil {
		t.Fatal(err)
	}
	// The bridge and ARP may need a moment after the port comes back: retry,
	// bounded by a deadline.
	healCtx, healCancel := context.WithTimeout(ctx, 10*time.Second)
	defer healCancel()
	start := time.Now()
	var err error
	for attempt := 1; ; attempt++ {
		if err = dialFrom(healCtx, lab.Host(1), addr, 500*time.Millisecond); err == nil {
			t.Logf("reachable again %v after heal (attempt %d)", time.Since(start).Round(time.Millisecond), attempt)
			break
		}
		if healCtx.Err() != nil {
			t.Fatalf("host 2 unreachable after heal: %v", err)
		}
	}
}

func TestMulticastReachesOtherHosts(t *testing.T) {
	lab := netlab.New(t, 2)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	// 239.255.0.0/16 is organisation-local scope; the sockets live in the
	// lab's namespaces, whose only LAN is the lab's bridge.
	var rx *net.UDPConn
	err := lab.Host(2).Do(func() error {
		ifi, err := net.InterfaceByName(netlab.Link)
		if err != nil {
			return err
		}
		rx, err = net.ListenMulticastUDP("udp4", ifi, &net.UDPAddr{IP: net.IPv4(239, 255, 77, 1)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	group := &net.UDPAddr{IP: net.IPv4(239, 255, 77, 1), Port: rx.LocalAddr().(*net.UDPAddr).Port}

	var tx *net.UDPConn
	if err := lab.Host(1).Do(func() (err error) {
		tx, err = net.DialUDP("udp4", nil, group)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer tx.Close()

	got := make(chan netip.Addr, 1)
	go func() {
		buf := make([]byte, 64)
		_ = rx.SetReadDeadline(time.Now().Add(8 * time.Second))
		_, from, err := rx.ReadFromUDPAddrPort(buf)
		if err == nil {
			got <- from.Addr()
		}
		close(got)
	}()

	// The group membership may still be settling: resend a few times.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for sent := 0; ; {
		if sent < 100 {
			if _, err := tx.Write([]byte("hello lab")); err != nil {
				t.Fatalf("send: %v", err)
			}
			sent++
		}
		select {
		case from, ok := <-got:
			if !ok {
				t.Fatal("host 2 received no multicast datagram")
			}
			if from != lab.Host(1).IP {
				t.Fatalf("datagram from %v, want %v", from, lab.Host(1).IP)
			}
			return
		case <-tick.C:
		case <-ctx.Done():
			t.Fatal("no multicast datagram before the deadline")
		}
	}
}

func TestHostConfiguration(t *testing.T) {
	lab := netlab.New(t, 2)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
		return string(out)
	}

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"bridge without snooping", []string{"-n", lab.Switch, "-d", "link", "show", "br0"}, []string{"mcast_snooping 0", "state UP"}},
		{"eth0 up with multicast", []string{"-n", lab.Host(1).NS, "link", "show", netlab.Link}, []string{"MULTICAST", "UP"}},
		{"lo up", []string{"-n", lab.Host(2).NS, "link", "show", "lo"}, []string{"UP"}},
		{"multicast route", []string{"-n", lab.Host(2).NS, "route", "show", "224.0.0.0/4"}, []string{"dev " + netlab.Link}},
		{"host address", []string{"-n", lab.Host(2).NS, "addr", "show", netlab.Link}, []string{lab.Host(2).IP.String() + "/24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := run(tt.args...)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("ip %v lacks %q:\n%s", tt.args, w, out)
				}
			}
		})
	}

	out, err := lab.Host(1).Command(ctx, "ip", "-o", "addr", "show", netlab.Link).CombinedOutput()
	if err != nil || !strings.Contains(string(out), lab.Host(1).IP.String()) {
		t.Errorf("Command in host 1: %v: %s", err, out)
	}
}

func TestLabsAreDistinctAndDownRemovesAll(t *testing.T) {
	if err := netlab.Available(); err != nil {
		t.Skipf("netlab: skipping, no network namespaces here: %v", err)
	}
	a, err := netlab.NewLab(2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Down() })
	b, err := netlab.NewLab(3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Down() })
	if a.Prefix == b.Prefix || a.Subnet == b.Subnet {
		t.Fatalf("two labs share prefix or subnet: %s %v, %s %v", a.Prefix, a.Subnet, b.Prefix, b.Subnet)
	}
	if n := len(a.Host(2).NS); n > 15 {
		t.Errorf("namespace name %q is %d bytes, want ≤ 15", a.Host(2).NS, n)
	}

	for _, l := range []*netlab.Lab{a, b} {
		if got, want := countPrefix(t, l.Prefix), len(l.Hosts)+1; got != want {
			t.Fatalf("%s: %d namespaces, want %d", l.Prefix, got, want)
		}
		if err := l.Down(); err != nil {
			t.Fatal(err)
		}
		if got := countPrefix(t, l.Prefix); got != 0 {
			t.Fatalf("%s: %d namespaces left after Down", l.Prefix, got)
		}
		if err := l.Down(); err != nil {
			t.Fatalf("second Down: %v", err)
		}
	}
}

func countPrefix(t *testing.T, prefix string) int {
	t.Helper()
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, prefix) {
			n++
		}
	}
	return n
}

func TestShapeSlowsDownloads(t *testing.T) {
	lab := netlab.New(t, 2)
	if err := lab.Shape(2, "8mbit"); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("tc", "-n", lab.Switch, "qdisc", "show", "dev", "p2").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "tbf") || !strings.Contains(string(out), "8Mbit") {
		t.Fatalf("no token bucket on host 2's port: %v: %s", err, out)
	}
	if err := lab.Unshape(2); err != nil {
		t.Fatal(err)
	}
	out, _ = exec.Command("tc", "-n", lab.Switch, "qdisc", "show", "dev", "p2").CombinedOutput()
	if strings.Contains(string(out), "tbf") {
		t.Fatalf("limit left after Unshape: %s", out)
	}
	if err := lab.Shape(9, "1mbit"); err == nil {
		t.Fatal("shaping a host outside the lab succeeded")
	}
}
