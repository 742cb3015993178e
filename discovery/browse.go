package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/grandcat/zeroconf"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// browser is the querying side of MDNS: one socket on the mDNS group for
// as long as the interfaces stay the same, a reader that keeps the answer
// cache, and one query per round at most, listing the known answers.
// zeroconf's resolver could not do that: it asks without known answers,
// so every colleague answered every query of every colleague, and its
// cache lived for one round. open, which makes the socket, runs on Run's
// goroutine; the reader and each round's goroutine only use it.
type browser struct {
	cache *answerCache
	key   string // the interfaces the socket joined on, as name/index
	conn  groupConn
	iface []net.Interface
	fresh chan *zeroconf.ServiceEntry // what the reader heard; a full queue drops, the cache keeps it
	done  chan struct{}               // closed when the reader ends
	log   *slog.Logger
}

func newBrowser(service, domain string, gap time.Duration, log *slog.Logger) *browser {
	return &browser{cache: newAnswerCache(service, domain, gap), fresh: make(chan *zeroconf.ServiceEntry, 64), log: log}
}

// open (re)joins the group on ifaces unless the socket already serves
// exactly them; a new network starts with an empty cache.
func (b *browser) open(ifaces []net.Interface) error {
	var key strings.Builder
	for _, ifi := range ifaces {
		fmt.Fprintf(&key, "%s/%d ", ifi.Name, ifi.Index)
	}
	if b.conn != nil && key.String() == b.key {
		select {
		case <-b.done:
		default:
			return nil // the reader is still at work
		}
	}
	b.close()
	b.cache.clear(time.Now())
	conn, err := joinGroup(ifaces)
	if err != nil {
		return err
	}
	b.conn, b.key, b.iface, b.done = conn, key.String(), ifaces, make(chan struct{})
	go b.read(conn, b.done)
	return nil
}

// read feeds the cache until the socket is closed.
func (b *browser) read(conn groupConn, done chan<- struct{}) {
	defer close(done)
	buf := make([]byte, 65536)
	for {
		n, src, err := conn.read(buf)
		if err != nil {
			return // closed; or broken, and the next round opens a new one
		}
		for _, e := range b.cache.heard(buf[:n], src, time.Now()) {
			select {
			case b.fresh <- e:
			default:
			}
		}
	}
}

// round returns the colleagues known now followed by those heard during
// the round, and at a random moment of the round's first half sends its
// query, unless another querier's made it a duplicate meanwhile; the
// channel closes when ctx ends.
func (b *browser) round(ctx context.Context, length time.Duration) <-chan *zeroconf.ServiceEntry {
	known := b.cache.live(time.Now())
	out := make(chan *zeroconf.ServiceEntry, 16)
	go func() {
		defer close(out)
		timer := time.NewTimer(queryDelay(length))
		defer timer.Stop()
		var pending *zeroconf.ServiceEntry // taken from fresh, not yet handed on
		for {
			var next *zeroconf.ServiceEntry
			var to chan<- *zeroconf.ServiceEntry
			from := b.fresh
			switch {
			case len(known) > 0:
				next, to, from = known[0], out, nil
			case pending != nil:
				next, to, from = pending, out, nil
			}
			select {
			case to <- next:
				if len(known) > 0 {
					known = known[1:]
				} else {
					pending = nil
				}
			case e := <-from:
				pending = e
			case <-timer.C:
				if q, ok := b.cache.nextQuery(time.Now()); ok {
					if err := b.send(q); err != nil {
						b.log.Debug("mdns: query not sent", "err", err)
					}
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// queryDelay is how far into a round of the given length its query goes
// out: 20 ms and, at random, up to half the round (at least 100 ms; RFC
// 6762 §5.2 asks 20-120 ms of the first query). Queriers whose rounds
// began together, as after a power cut or in an office whose Hallways
// started at once, keep their rounds in step; asking at one moment they
// would all ask before any heard that another had, and each query would
// draw the same answers again. Spread over half a round, the first query
// is heard before the others are due, and they are skipped.
func queryDelay(length time.Duration) time.Duration {
	return 20*time.Millisecond + rand.N(max(100*time.Millisecond, length/2))
}

// send multicasts q on every interface; it fails only when no interface
// took it.
func (b *browser) send(q []byte) error {
	var errs []error
	for i := range b.iface {
		if err := b.conn.write(q, &b.iface[i]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", b.iface[i].Name, err))
		}
	}
	if len(errs) == len(b.iface) && len(errs) > 0 {
		return fmt.Errorf("discovery: send query: %w", errors.Join(errs...))
	}
	return nil
}

// close leaves the group and waits for the reader.
func (b *browser) close() {
	if b.conn != nil {
		b.conn.close()
		<-b.done
		b.conn = nil
	}
}

// groupConn is a socket joined to the mDNS group of one IP family.
type groupConn interface {
	read(buf []byte) (int, netip.Addr, error)
	write(buf []byte, ifi *net.Interface) error
	close()
}

// joinGroup joins over IPv4 and falls back to IPv6 alone: colleagues
// answer over IPv4 whenever they have an address worth dialling.
func joinGroup(ifaces []net.Interface) (groupConn, error) {
	c4, err4 := join4(ifaces)
	if err4 == nil {
		return c4, nil
	}
	c6, err6 := join6(ifaces)
	if err6 == nil {
		return c6, nil
	}
	return nil, fmt.Errorf("discovery: join mDNS group: %w", errors.Join(err4, err6))
}

var (
	group4 = &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353}
	group6 = &net.UDPAddr{IP: net.ParseIP("ff02::fb"), Port: 5353}
)

// perPacketIface: where a control message picks the interface of each
// packet; elsewhere the socket's multicast interface is set before each.
var perPacketIface = runtime.GOOS == "linux" || runtime.GOOS == "darwin" || runtime.GOOS == "ios"

// readBuffer is the receive buffer asked for (the system may cap it): a
// newcomer's first query draws the answers of the whole office at once,
// a few hundred packets that Linux's default of 208 KiB does not hold.
const readBuffer = 1 << 20

type conn4 struct{ pc *ipv4.PacketConn }

func join4(ifaces []net.Interface) (groupConn, error) {
	// A multicast address to listen on makes Go bind the wildcard with
	// SO_REUSEADDR, beside the announcer's socket on the same port.
	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(224, 0, 0, 0), Port: 5353})
	if err != nil {
		return nil, err
	}
	_ = udp.SetReadBuffer(readBuffer)
	pc := ipv4.NewPacketConn(udp)
	_ = pc.SetMulticastTTL(255)
	joined := 0
	for i := range ifaces {
		if pc.JoinGroup(&ifaces[i], &net.UDPAddr{IP: group4.IP}) == nil {
			joined++
		}
	}
	if joined == 0 {
		pc.Close()
		return nil, fmt.Errorf("udp4: no interface of %d joined", len(ifaces))
	}
	return conn4{pc}, nil
}

func (c conn4) read(buf []byte) (int, netip.Addr, error) {
	n, _, src, err := c.pc.ReadFrom(buf)
	return n, addrOf(src), err
}

// addrOf is the IP address of a packet's source, invalid if none.
func addrOf(a net.Addr) netip.Addr {
	if u, ok := a.(*net.UDPAddr); ok {
		if ip, ok := netip.AddrFromSlice(u.IP); ok {
			return ip.Unmap()
		}
	}
	return netip.Addr{}
}

func (c conn4) write(buf []byte, ifi *net.Interface) error {
	if perPacketIface {
		_, err := c.pc.WriteTo(buf, &ipv4.ControlMessage{IfIndex: ifi.Index}, group4)
		return err
	}
	if err := c.pc.SetMulticastInterface(ifi); err != nil {
		return err
	}
	_, err := c.pc.WriteTo(buf, nil, group4)
	return err
}

func (c conn4) close() { c.pc.Close() }

type conn6 struct{ pc *ipv6.PacketConn }

func join6(ifaces []net.Interface) (groupConn, error) {
	udp, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.ParseIP("ff02::"), Port: 5353})
	if err != nil {
		return nil, err
	}
	_ = udp.SetReadBuffer(readBuffer)
	pc := ipv6.NewPacketConn(udp)
	_ = pc.SetMulticastHopLimit(255)
	joined := 0
	for i := range ifaces {
		if pc.JoinGroup(&ifaces[i], &net.UDPAddr{IP: group6.IP}) == nil {
			joined++
		}
	}
	if joined == 0 {
		pc.Close()
		return nil, fmt.Errorf("udp6: no interface of %d joined", len(ifaces))
	}
	return conn6{pc}, nil
}

func (c conn6) read(buf []byte) (int, netip.Addr, error) {
	n, _, src, err := c.pc.ReadFrom(buf)
	return n, addrOf(src), err
}

func (c conn6) write(buf []byte, ifi *net.Interface) error {
	if perPacketIface {
		_, err := c.pc.WriteTo(buf, &ipv6.ControlMessage{IfIndex: ifi.Index}, group6)
		return err
	}
	if err := c.pc.SetMulticastInterface(ifi); err != nil {
		return err
	}
	_, err := c.pc.WriteTo(buf, nil, group6)
	return err
}

func (c conn6) close() { c.pc.Close() }
