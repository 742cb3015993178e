package discovery

import (
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// FuzzHeardPacket feeds hostile packets off the mDNS group to the answer
// cache, as responses and as other queriers' queries, twice from two
// addresses. The cache must stay within its bounds, report only instances
// of our service that are complete, and still make a query that fits one
// packet and parses.
func FuzzHeardPacket(f *testing.F) {
	f.Add(answerOf(f, "alice", 4001, "10.0.0.2", 120), []byte(nil))
	f.Add(queryOf(f, false, "alice", "bob"), answerOf(f, "bob", 4002, "10.0.0.3", 4500))
	f.Add(queryOf(f, true), []byte{0, 0, 0x84, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, first, second []byte) {
		c := newAnswerCache(testService, "local.", 10*time.Second)
		now := time.Unix(1_700_000_000, 0)
		a, b := netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("fe80::2")
		for i, raw := range [][]byte{first, second, first, second} {
			from := a
			if i%2 == 1 {
				from = b
			}
			for _, e := range c.heard(raw, from, now.Add(time.Duration(i)*time.Second)) {
				if e == nil || e.Instance == "" || e.Port <= 0 || e.Port > 65535 {
					t.Fatalf("incomplete instance reported: %+v", e)
				}
			}
		}
		c.mu.Lock()
		if len(c.entries) > maxCached {
			t.Fatalf("cache holds %d instances, bound %d", len(c.entries), maxCached)
		}
		for src, n := range c.bySource {
			if n > maxPerSource {
				t.Fatalf("%s has %d instances cached, bound %d", src, n, maxPerSource)
			}
		}
		c.mu.Unlock()
		c.live(now.Add(5 * time.Second))
		q, ok := c.nextQuery(now.Add(6 * time.Second))
		if !ok {
			return // another querier asked for us
		}
		if len(q) > maxQueryBytes {
			t.Fatalf("query of %d bytes, bound %d", len(q), maxQueryBytes)
		}
		var m dns.Msg
		if err := m.Unpack(q); err != nil {
			t.Fatalf("our own query does not parse: %v", err)
		}
	})
}
