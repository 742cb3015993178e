package discovery

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"hallway/internal/netlab"
)

// mdnsTally counts mDNS packets seen on the group, over IPv4 and IPv6.
type mdnsTally struct {
	v4, v6, queries, answers, bytes atomic.Int64
	conns                           []*net.UDPConn
	wg                              sync.WaitGroup
	once                            sync.Once
}

type tallies struct{ v4, v6, queries, answers, bytes int64 }

func (t tallies) packets() int64 { return t.v4 + t.v6 }

func (t tallies) minus(o tallies) tallies {
	return tallies{t.v4 - o.v4, t.v6 - o.v6, t.queries - o.queries, t.answers - o.answers, t.bytes - o.bytes}
}

func (m *mdnsTally) snapshot() tallies {
	return tallies{m.v4.Load(), m.v6.Load(), m.queries.Load(), m.answers.Load(), m.bytes.Load()}
}

// listen joins the mDNS groups on h's link and counts until close.
func (m *mdnsTally) listen(ctx context.Context, h *netlab.Host) error {
	err := h.Do(func() error {
		if err := insideLabHost(h); err != nil {
			return err
		}
		ifi, err := net.InterfaceByName(netlab.Link)
		if err != nil {
			return err
		}
		c4, err := net.ListenMulticastUDP("udp4", ifi, &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353})
		if err != nil {
			return err
		}
		m.conns = append(m.conns, c4)
		c6, err := net.ListenMulticastUDP("udp6", ifi, &net.UDPAddr{IP: net.ParseIP("ff02::fb"), Port: 5353})
		if err != nil {
			return err
		}
		m.conns = append(m.conns, c6)
		return nil
	})
	if err != nil {
		m.close()
		return err
	}
	for i, c := range m.conns {
		// Room for the bursts of a whole office answering at once, so
		// the counter itself drops nothing.
		if raw, err := c.SyscallConn(); err == nil {
			_ = raw.Control(func(fd uintptr) {
				_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, 64<<20)
			})
		}
		fam := &m.v4
		if i == 1 {
			fam = &m.v6
		}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			buf := make([]byte, 65536)
			for ctx.Err() == nil {
				k, err := c.Read(buf)
				if err != nil {
					return
				}
				if k < 12 {
					continue
				}
				fam.Add(1)
				m.bytes.Add(int64(k))
				if buf[2]&0x80 != 0 {
					m.answers.Add(1)
				} else {
					m.queries.Add(1)
				}
			}
		}()
	}
	return nil
}

func (m *mdnsTally) close() {
	m.once.Do(func() {
		for _, c := range m.conns {
			c.Close()
		}
		m.wg.Wait()
	})
}

// traffic is what the hosts sent into the switch.
type traffic struct{ packets, bytes int64 }

func (t traffic) minus(o traffic) traffic { return traffic{t.packets - o.packets, t.bytes - o.bytes} }

// portTraffic sums the frames the switch received on the hosts' ports:
// everything the hosts sent, mDNS over both families and IP fragments
// included, counted by the kernel, which drops nothing it counts.
func portTraffic(lab *netlab.Lab) (traffic, error) {
	out, err := exec.Command("ip", "-s", "-j", "-n", lab.Switch, "link", "show").Output()
	if err != nil {
		return traffic{}, fmt.Errorf("switch counters: %w", err)
	}
	var links []struct {
		Name  string `json:"ifname"`
		Stats struct {
			RX struct {
				Bytes   int64 `json:"bytes"`
				Packets int64 `json:"packets"`
			} `json:"rx"`
		} `json:"stats64"`
	}
	if err := json.Unmarshal(out, &links); err != nil {
		return traffic{}, fmt.Errorf("switch counters: %w", err)
	}
	var t traffic
	for _, l := range links {
		if strings.HasPrefix(l.Name, "p") {
			t.packets += l.Stats.RX.Packets
			t.bytes += l.Stats.RX.Bytes
		}
	}
	return t, nil
}

// udpDrops sums the UDP datagrams the hosts' kernels dropped for full
// receive buffers: a count that grows says the LAN sends more than the
// hosts can read, and the packet counts understate the load.
func udpDrops(lab *netlab.Lab) int64 {
	var total int64
	for _, h := range lab.Hosts {
		_ = h.Do(func() error {
			f, err := os.Open("/proc/thread-self/net/snmp")
			if err != nil {
				return err
			}
			defer f.Close()
			var names []string
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				fields := strings.Fields(sc.Text())
				if len(fields) == 0 || fields[0] != "Udp:" {
					continue
				}
				if names == nil {
					names = fields
					continue
				}
				for i, name := range names {
					if name == "RcvbufErrors" && i < len(fields) {
						v, _ := strconv.ParseInt(fields[i], 10, 64)
						total += v
					}
				}
			}
			return sc.Err()
		})
	}
	return total
}
