package discovery

import (
	"bytes"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// heardQuery notes another querier's query that makes our next one a
// duplicate (§7.3): it asks our question for multicast answers and lists
// no known answer that ours would not list. A truncated query (more known
// answers follow) or a probe does not count, and neither does our own
// query looped back.
func (c *answerCache) heardQuery(m *dns.Msg, raw []byte, now time.Time) {
	if m.Truncated || len(m.Ns) > 0 {
		return
	}
	asks := slices.ContainsFunc(m.Question, func(q dns.Question) bool {
		return strings.EqualFold(q.Name, c.service) && (q.Qtype == dns.TypePTR || q.Qtype == dns.TypeANY) &&
			q.Qclass&^qClassUnicast == dns.ClassINET && q.Qclass&qClassUnicast == 0
	})
	if !asks {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.sentAt) < 2*time.Second && bytes.Equal(raw, c.sent) {
		return
	}
	known := map[string]bool{}
	for _, rr := range c.knownLocked(now) {
		known[rr.(*dns.PTR).Ptr] = true
	}
	for _, rr := range m.Answer {
		if p, ok := rr.(*dns.PTR); ok && strings.EqualFold(p.Hdr.Name, c.service) && !known[strings.ToLower(p.Ptr)] {
			return
		}
	}
	c.dupAt = now
}

// qClassUnicast is the top bit of a question's class: the asker prefers
// unicast answers (RFC 6762 §5.4), which others do not hear.
const qClassUnicast = 1 << 15

// knownLocked lists the PTRs a query of ours carries as known answers:
// those heard within their ask interval whose remaining TTL is at least
// half the original (§7.1), with that remaining TTL, in name order.
// c.mu is held.
func (c *answerCache) knownLocked(now time.Time) []dns.RR {
	var out []dns.RR
	listed := map[string]bool{} // one instance heard from two addresses is listed once
	for _, e := range c.entries {
		if listed[e.instance] {
			continue
		}
		if e.ptrAt.IsZero() || now.Sub(e.ptrAt) >= e.askAfter {
			continue
		}
		elapsed, ttl := uint64(now.Sub(e.ptrAt)/time.Second), uint64(e.ptrTTL)
		if elapsed >= ttl || 2*(ttl-elapsed) < ttl {
			continue
		}
		listed[e.instance] = true
		out = append(out, &dns.PTR{
			Hdr: dns.RR_Header{Name: c.service, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: uint32(ttl - elapsed)},
			Ptr: e.instance,
		})
	}
	slices.SortFunc(out, func(a, b dns.RR) int { return strings.Compare(a.(*dns.PTR).Ptr, b.(*dns.PTR).Ptr) })
	return out
}

// nextQuery returns the query of a round, or false when another querier
// asked for us since the previous round's (or since the cache was
// cleared).
func (c *answerCache) nextQuery(now time.Time) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	duplicate := c.dupAt.After(c.roundAt)
	c.roundAt = now
	if duplicate {
		return nil, false
	}
	m := new(dns.Msg)
	m.SetQuestion(c.service, dns.TypePTR)
	m.Id = 0 // RFC 6762 §18.1
	m.RecursionDesired = false
	m.Compress = true
	var known []dns.RR
	if !c.askAll {
		known = c.knownLocked(now)
	}
	c.askAll = false
	for _, rr := range known {
		m.Answer = append(m.Answer, rr)
		if m.Len() > maxQueryBytes {
			m.Answer = m.Answer[:len(m.Answer)-1]
			break
		}
	}
	buf, err := m.Pack()
	if err != nil {
		return nil, false
	}
	c.sent, c.sentAt = buf, now
	return buf, true
}

// askEveryone makes the next query list no known answers, so that every
// colleague answers it: after a network change what the cache holds may
// be stale.
func (c *answerCache) askEveryone() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.askAll = true
}
