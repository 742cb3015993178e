package discovery

import (
	"hash/fnv"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grandcat/zeroconf"
	"github.com/miekg/dns"
)

// What the browser remembers of the answers it heard, and the two rules of
// RFC 6762 that keep a settled office quiet however many join it:
//
//   - Known-answer suppression (§7.1): a query lists the colleagues it
//     already knows, and their responders stay silent. zeroconf's responder
//     honours a listed PTR whose TTL is at least half of its own.
//   - Duplicate question suppression (§7.3): a querier that hears another
//     ask the same question, listing no colleague it does not know itself,
//     skips its own query that round: the answers it lacks are multicast
//     to everyone anyway.
//
// So in a settled office one query goes out per round for the whole LAN,
// and each colleague answers about once every ask interval.
const (
	// maxQueryBytes: an mDNS packet with its IP (IPv6: 40 bytes) and UDP
	// headers is at most 9000 bytes (RFC 6762 §17). Known answers beyond
	// it are left out, and those colleagues answer each round.
	maxQueryBytes = 9000 - 40 - 8
	// maxCached bounds what the cache holds; a full cache forgets the
	// instance heard longest ago.
	maxCached = 1024
	// maxPerSource bounds the instances one address may have cached;
	// beyond it, new ones from there are ignored. A machine runs one
	// Hallway, two while it changes identity: one machine flooding made-up
	// peers fills 16 entries, not the cache, and the others' answers and
	// announcements still get through.
	maxPerSource = 16
	// maxCachedAddrs bounds the addresses kept per family and instance.
	maxCachedAddrs = 16
)

// answerCache is the browser's memory of instances and of the queries it
// heard. Safe for concurrent use: the reader fills it, rounds read it.
type answerCache struct {
	service string        // e.g. "_hallway._tcp.local."
	svc     string        // service type as zeroconf names it, e.g. "_hallway._tcp"
	domain  string        // e.g. "local"
	ask     time.Duration // a colleague goes into known answers this long after its answer (plus jitter)
	forget  time.Duration // and is forgotten this long after anything of it was heard

	mu       sync.Mutex         // guards everything below
	entries  map[string]*cached // by instance and source address (key)
	bySource map[netip.Addr]int // how many entries each source has
	roundAt  time.Time          // when the last round's query was due
	dupAt    time.Time          // when another querier last asked our question for us
	sent     []byte             // our last query, to know it when it loops back
	sentAt   time.Time
	askAll   bool // the next query lists no known answers (askEveryone)
}

// cached is what was heard of one instance from one address. What
// another machine announces under the same name (a spoofer) is kept
// apart and reported apart; the dialer's handshake tells who is real.
type cached struct {
	instance string     // the PTR's target, lower case
	src      netip.Addr // whence its records came
	ptrTTL   uint32
	ptrAt    time.Time     // when its PTR was last heard; zero: never
	askAfter time.Duration // how long after ptrAt it stays a known answer
	heardAt  time.Time     // when any record of it was last heard
	host     string        // the SRV's target, lower case
	port     int
	txt      []string
	v4, v6   []net.IP
}

func newAnswerCache(service, domain string, gap time.Duration) *answerCache {
	svc, dom := strings.Trim(service, "."), strings.Trim(domain, ".")
	return &answerCache{
		service: strings.ToLower(svc + "." + dom + "."),
		svc:     svc,
		domain:  dom,
		// Asked again after two rounds at the longest gap, forgotten after
		// four: two queries that should have drawn its answer.
		ask:      2 * gap,
		forget:   4 * gap,
		entries:  map[string]*cached{},
		bySource: map[netip.Addr]int{},
	}
}

// key is what the cache files an instance heard from src under.
func key(instance string, src netip.Addr) string { return instance + " " + src.String() }

// dropLocked forgets e. c.mu is held.
func (c *answerCache) dropLocked(e *cached) {
	delete(c.entries, key(e.instance, e.src))
	if c.bySource[e.src]--; c.bySource[e.src] <= 0 {
		delete(c.bySource, e.src)
	}
}

// heard takes one packet off the group, sent from src. A response updates
// the cache and returns the instances it added or changed; a query from
// another querier is checked for duplicating ours.
func (c *answerCache) heard(raw []byte, src netip.Addr, now time.Time) []*zeroconf.ServiceEntry {
	var m dns.Msg
	if err := m.Unpack(raw); err != nil {
		return nil
	}
	if !m.Response {
		c.heardQuery(&m, raw, now)
		return nil
	}
	return c.heardAnswers(&m, src.Unmap(), now)
}

// ours is whether name is an instance of our service.
func (c *answerCache) ours(name string) bool {
	name = strings.ToLower(name)
	return len(name) > len(c.service)+1 && strings.HasSuffix(name, "."+c.service)
}

func (c *answerCache) heardAnswers(m *dns.Msg, src netip.Addr, now time.Time) []*zeroconf.ServiceEntry {
	type records struct {
		ptr *dns.PTR
		srv *dns.SRV
		txt *dns.TXT
	}
	got := map[string]*records{}
	of := func(name string) *records {
		name = strings.ToLower(name)
		if got[name] == nil {
			got[name] = &records{}
		}
		return got[name]
	}
	ips := map[string][]net.IP{}
	for _, sec := range [][]dns.RR{m.Answer, m.Ns, m.Extra} {
		for _, rr := range sec {
			switch rr := rr.(type) {
			case *dns.PTR:
				if strings.EqualFold(rr.Hdr.Name, c.service) && c.ours(rr.Ptr) {
					of(rr.Ptr).ptr = rr
				}
			case *dns.SRV:
				if c.ours(rr.Hdr.Name) {
					of(rr.Hdr.Name).srv = rr
				}
			case *dns.TXT:
				if c.ours(rr.Hdr.Name) {
					of(rr.Hdr.Name).txt = rr
				}
			case *dns.A:
				ips[strings.ToLower(rr.Hdr.Name)] = append(ips[strings.ToLower(rr.Hdr.Name)], rr.A)
			case *dns.AAAA:
				ips[strings.ToLower(rr.Hdr.Name)] = append(ips[strings.ToLower(rr.Hdr.Name)], rr.AAAA)
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*zeroconf.ServiceEntry
	for inst, r := range got {
		e := c.entries[key(inst, src)]
		if (r.ptr != nil && r.ptr.Hdr.Ttl == 0) || (r.srv != nil && r.srv.Hdr.Ttl == 0) {
			if e != nil {
				c.dropLocked(e) // a goodbye
			}
			continue
		}
		if e == nil {
			if c.bySource[src] >= maxPerSource {
				continue
			}
			if len(c.entries) >= maxCached {
				c.evictLocked()
			}
			e = &cached{instance: inst, src: src}
			c.entries[key(inst, src)] = e
			c.bySource[src]++
		}
		before := e.entry(c)
		if r.ptr != nil {
			e.ptrTTL, e.ptrAt = r.ptr.Hdr.Ttl, now
			e.askAfter = c.askAfter(inst)
		}
		if r.srv != nil {
			e.host, e.port = strings.ToLower(r.srv.Target), int(r.srv.Port)
		}
		if r.txt != nil {
			e.txt = slices.Clone(r.txt.Txt)
		}
		if addrs, ok := ips[e.host]; ok && e.host != "" {
			e.v4, e.v6 = nil, nil
			for _, ip := range addrs {
				if ip.To4() != nil && len(e.v4) < maxCachedAddrs {
					e.v4 = append(e.v4, ip)
				} else if ip.To4() == nil && len(e.v6) < maxCachedAddrs {
					e.v6 = append(e.v6, ip)
				}
			}
		}
		e.heardAt = now
		if after := e.entry(c); after != nil && (before == nil || !sameEntry(before, after)) {
			out = append(out, after)
		}
	}
	return out
}

// askAfter is how long after its answer an instance stays a known
// answer: the ask interval and up to a quarter more, so that colleagues
// found at the same moment are not all asked again in the same round. The
// extra is a hash of the name, not a random draw: every querier must drop
// an instance from its known answers at the same moment, or their lists
// differ and none of their queries counts as a duplicate of another's.
func (c *answerCache) askAfter(inst string) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(inst))
	return c.ask + time.Duration(h.Sum64()%uint64(c.ask/4+1))
}

// evictLocked forgets the instance heard longest ago. c.mu is held.
func (c *answerCache) evictLocked() {
	var oldest *cached
	for _, e := range c.entries {
		if oldest == nil || e.heardAt.Before(oldest.heardAt) {
			oldest = e
		}
	}
	if oldest != nil {
		c.dropLocked(oldest)
	}
}

// entry is e as a browse result, nil while it lacks a port, a TXT or an
// address.
func (e *cached) entry(c *answerCache) *zeroconf.ServiceEntry {
	if e.port == 0 || e.txt == nil || len(e.v4)+len(e.v6) == 0 {
		return nil
	}
	out := zeroconf.NewServiceEntry(strings.TrimSuffix(e.instance, "."+c.service), c.svc, c.domain)
	out.HostName = e.host
	out.Port = e.port
	out.Text = slices.Clone(e.txt)
	out.TTL = e.ptrTTL
	out.AddrIPv4 = slices.Clone(e.v4)
	out.AddrIPv6 = slices.Clone(e.v6)
	return out
}

func sameEntry(a, b *zeroconf.ServiceEntry) bool {
	eq := func(x, y []net.IP) bool { return slices.EqualFunc(x, y, net.IP.Equal) }
	return a.Port == b.Port && slices.Equal(a.Text, b.Text) && eq(a.AddrIPv4, b.AddrIPv4) && eq(a.AddrIPv6, b.AddrIPv6)
}

// live returns the complete instances heard within the forget interval,
// in name order, and forgets the others.
func (c *answerCache) live(now time.Time) []*zeroconf.ServiceEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*zeroconf.ServiceEntry
	names := make([]string, 0, len(c.entries))
	for name, e := range c.entries {
		expired := !e.ptrAt.IsZero() && now.Sub(e.ptrAt) >= time.Duration(e.ptrTTL)*time.Second
		if now.Sub(e.heardAt) >= c.forget || expired {
			c.dropLocked(e)
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if e := c.entries[name].entry(c); e != nil {
			out = append(out, e)
		}
	}
	return out
}

// clear forgets everything, for a new network joined at now: a query
// heard from then on can make our first one a duplicate.
func (c *answerCache) clear(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	clear(c.bySource)
	c.roundAt, c.dupAt, c.sent, c.sentAt = now, time.Time{}, nil, time.Time{}
}
