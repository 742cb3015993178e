package discovery

import (
	"fmt"
	"hash/fnv"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
)

const testService = "_hallway._tcp.local."

// src is the address a test instance announces from, one per name.
func src(name string) netip.Addr {
	h := fnv.New32a()
	h.Write([]byte(name))
	v := h.Sum32()
	return netip.AddrFrom4([4]byte{10, byte(v >> 16), byte(v >> 8), byte(v)})
}

// answerOf is a browse answer shaped like zeroconf's responder sends it:
// the PTR in the answer section, SRV, TXT and address in the extra one.
func answerOf(t testing.TB, inst string, port int, ip string, ttl uint32) []byte {
	t.Helper()
	name := inst + "." + testService
	host := inst + ".local."
	m := new(dns.Msg)
	m.Response = true
	m.Answer = []dns.RR{&dns.PTR{Hdr: dns.RR_Header{Name: testService, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: ttl}, Ptr: name}}
	m.Extra = []dns.RR{
		&dns.SRV{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeSRV, Class: dns.ClassINET, Ttl: ttl}, Port: uint16(port), Target: host},
		&dns.TXT{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: ttl}, Txt: []string{"id=" + inst, "ws=office", "v=1"}},
		&dns.A{Hdr: dns.RR_Header{Name: host, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: min(ttl, 120)}, A: net.ParseIP(ip)},
	}
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// queryOf is another querier's query for the service listing known.
func queryOf(t testing.TB, unicast bool, known ...string) []byte {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(testService, dns.TypePTR)
	if unicast {
		m.Question[0].Qclass |= qClassUnicast
	}
	for _, inst := range known {
		m.Answer = append(m.Answer, &dns.PTR{Hdr: dns.RR_Header{Name: testService, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: 3000}, Ptr: inst + "." + testService})
	}
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// knownIn is the known answers a query lists, instance → TTL.
func knownIn(t *testing.T, q []byte) map[string]uint32 {
	t.Helper()
	var m dns.Msg
	if err := m.Unpack(q); err != nil {
		t.Fatal(err)
	}
	if len(m.Question) != 1 || m.Question[0].Name != testService || m.Question[0].Qtype != dns.TypePTR || m.Question[0].Qclass != dns.ClassINET {
		t.Fatalf("query asks %v, want the service's PTR for multicast answers", m.Question)
	}
	out := map[string]uint32{}
	for _, rr := range m.Answer {
		p := rr.(*dns.PTR)
		out[p.Ptr] = p.Hdr.Ttl
	}
	return out
}

func TestQueryListsKnownAnswers(t *testing.T) {
	gap := 30 * time.Second
	c := newAnswerCache(DefaultService, DefaultDomain, gap)
	t0 := time.Now()
	c.heard(answerOf(t, "hw-old", 4001, "10.0.0.1", 3200), src("hw-old"), t0)
	c.heard(answerOf(t, "hw-short", 4002, "10.0.0.2", 100), src("hw-short"), t0.Add(49*time.Second))
	c.heard(answerOf(t, "hw-fresh", 4003, "10.0.0.3", 3200), src("hw-fresh"), t0.Add(70*time.Second))
	now := t0.Add(100 * time.Second)

	q, ok := c.nextQuery(now)
	if !ok {
		t.Fatal("the first round sent no query")
	}
	// hw-old was heard 100 s ago, past its ask interval (2 gaps and at
	// most a quarter more): it must answer again. hw-short has 49 of 100 s
	// left, less than half (§7.1). hw-fresh is listed with what is left.
	want := map[string]uint32{"hw-fresh." + testService: 3200 - 30}
	if got := knownIn(t, q); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("known answers %v, want %v", got, want)
	}
	// Every colleague still counts as seen until four gaps pass.
	var names []string
	for _, e := range c.live(now) {
		names = append(names, e.Instance)
	}
	if want := []string{"hw-fresh", "hw-old", "hw-short"}; !slices.Equal(names, want) {
		t.Fatalf("live %v, want %v", names, want)
	}
	if got := c.live(t0.Add(4*gap + time.Second)); len(got) != 2 {
		t.Fatalf("%d live after four gaps, want 2 (hw-old forgotten)", len(got))
	}
}

func TestDuplicateQuestionSkipsQuery(t *testing.T) {
	t0 := time.Now()
	setup := func() *answerCache {
		c := newAnswerCache(DefaultService, DefaultDomain, 30*time.Second)
		c.heard(answerOf(t, "hw-a", 4001, "10.0.0.1", 3200), src("hw-a"), t0)
		c.heard(answerOf(t, "hw-b", 4002, "10.0.0.2", 3200), src("hw-b"), t0)
		if _, ok := c.nextQuery(t0.Add(time.Second)); !ok {
			t.Fatal("the first round sent no query")
		}
		return c
	}
	tests := []struct {
		name  string
		heard []byte
		skip  bool
	}{
		{"same known answers", queryOf(t, false, "hw-a", "hw-b"), true},
		{"fewer known answers", queryOf(t, false, "hw-a"), true},
		{"a newcomer knowing none", queryOf(t, false), true},
		{"one we do not know", queryOf(t, false, "hw-a", "hw-c"), false},
		{"unicast answers asked", queryOf(t, true), false},
		{"another service", func() []byte {
			m := new(dns.Msg)
			m.SetQuestion("_printer._tcp.local.", dns.TypePTR)
			b, _ := m.Pack()
			return b
		}(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := setup()
			c.heard(tt.heard, src("other"), t0.Add(10*time.Second))
			_, sent := c.nextQuery(t0.Add(31 * time.Second))
			if sent == tt.skip {
				t.Fatalf("query sent %v, want %v", sent, !tt.skip)
			}
			// Skipping is for one round: the next one asks again.
			if _, sent := c.nextQuery(t0.Add(61 * time.Second)); !sent {
				t.Fatal("the round after a skipped one sent no query")
			}
		})
	}

	t.Run("our own query looped back", func(t *testing.T) {
		c := setup()
		q, ok := c.nextQuery(t0.Add(31 * time.Second))
		if !ok {
			t.Fatal("no query")
		}
		c.heard(q, src("other"), t0.Add(31*time.Second+time.Millisecond))
		if _, sent := c.nextQuery(t0.Add(61 * time.Second)); !sent {
			t.Fatal("our own query, heard back, made us skip the next")
		}
	})
}

func TestAnswersFillCache(t *testing.T) {
	c := newAnswerCache(DefaultService, DefaultDomain, 30*time.Second)
	t0 := time.Now()
	got := c.heard(answerOf(t, "hw-a", 4001, "10.0.0.1", 3200), src("hw-a"), t0)
	if len(got) != 1 || got[0].Instance != "hw-a" || got[0].Port != 4001 || len(got[0].AddrIPv4) != 1 || !got[0].AddrIPv4[0].Equal(net.ParseIP("10.0.0.1")) {
		t.Fatalf("heard %+v, want hw-a at 10.0.0.1:4001", got)
	}
	// Restarted on another port, announcing another address: the new ones
	// replace the old.
	got = c.heard(answerOf(t, "hw-a", 4011, "10.0.0.9", 3200), src("hw-a"), t0.Add(time.Second))
	if len(got) != 1 || got[0].Port != 4011 || len(got[0].AddrIPv4) != 1 || !got[0].AddrIPv4[0].Equal(net.ParseIP("10.0.0.9")) {
		t.Fatalf("after the restart heard %+v, want hw-a at 10.0.0.9:4011 only", got)
	}
	// A goodbye (TTL 0) forgets it at once, known answers included.
	c.heard(answerOf(t, "hw-a", 4011, "10.0.0.9", 0), src("hw-a"), t0.Add(2*time.Second))
	if live := c.live(t0.Add(2 * time.Second)); len(live) != 0 {
		t.Fatalf("live after a goodbye: %+v", live)
	}
	if q, _ := c.nextQuery(t0.Add(3 * time.Second)); len(knownIn(t, q)) != 0 {
		t.Fatal("a colleague who said goodbye is still a known answer")
	}
	// Other services and garbage leave the cache alone.
	other := new(dns.Msg)
	other.Response = true
	other.Answer = []dns.RR{&dns.PTR{Hdr: dns.RR_Header{Name: "_printer._tcp.local.", Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: 120}, Ptr: "lp._printer._tcp.local."}}
	b, _ := other.Pack()
	c.heard(b, src("other"), t0)
	c.heard([]byte{1, 2, 3}, src("other"), t0)
	if len(c.entries) != 0 {
		t.Fatalf("cache holds %d entries of other services or garbage", len(c.entries))
	}
}

func TestKnownAnswersFitOnePacket(t *testing.T) {
	c := newAnswerCache(DefaultService, DefaultDomain, 30*time.Second)
	t0 := time.Now()
	for i := range 400 {
		c.heard(answerOf(t, fmt.Sprintf("hw-%020d", i), 4001, "10.0.0.1", 3200), src(fmt.Sprint(i)), t0)
	}
	q, ok := c.nextQuery(t0.Add(time.Second))
	if !ok {
		t.Fatal("no query")
	}
	if len(q) > maxQueryBytes {
		t.Fatalf("query of %d bytes, at most %d", len(q), maxQueryBytes)
	}
	// Hallway's instance names (23 characters) fit about 230 to a query.
	if n := len(knownIn(t, q)); n < 200 || n == 400 {
		t.Fatalf("%d known answers in the query: want as many as fit, fewer than 400", n)
	}
}

// Queriers that heard the same answers list the same known answers at any
// moment, also while colleagues come due to be asked again; otherwise no
// query would count as a duplicate of another's and every host would ask.
func TestQueriersAgreeOnKnownAnswers(t *testing.T) {
	gap := 30 * time.Second
	a := newAnswerCache(DefaultService, DefaultDomain, gap)
	b := newAnswerCache(DefaultService, DefaultDomain, gap)
	t0 := time.Now()
	for i := range 100 {
		ans := answerOf(t, fmt.Sprintf("hw-%d", i), 4001, "10.0.0.1", 3200)
		a.heard(ans, src(fmt.Sprint(i)), t0)
		b.heard(ans, src(fmt.Sprint(i)), t0)
	}
	for s := 2 * gap; s <= 2*gap+gap/2; s += time.Second {
		now := t0.Add(s)
		a.mu.Lock()
		ka := a.knownLocked(now)
		a.mu.Unlock()
		b.mu.Lock()
		kb := b.knownLocked(now)
		b.mu.Unlock()
		if len(ka) != len(kb) {
			t.Fatalf("%v after the answers one querier lists %d known answers, the other %d", s, len(ka), len(kb))
		}
	}
}

// Hosts that start together skip their first query when another's came
// first; a newcomer among a settled office does not, since the office's
// queries list colleagues the newcomer has yet to hear.
func TestFirstQueryOfNewcomers(t *testing.T) {
	t0 := time.Now()
	for _, tt := range []struct {
		name  string
		heard []byte
		skip  bool
	}{
		{"another newcomer asked first", queryOf(t, false), true},
		{"the office asked, knowing hw-a", queryOf(t, false, "hw-a"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newAnswerCache(DefaultService, DefaultDomain, 30*time.Second)
			c.clear(t0)
			c.heard(tt.heard, src("other"), t0.Add(100*time.Millisecond))
			if _, sent := c.nextQuery(t0.Add(300 * time.Millisecond)); sent == tt.skip {
				t.Fatalf("first query sent %v, want %v", sent, !tt.skip)
			}
		})
	}
}

// After a rescan (a network change) the next query lists no known
// answers, so that every colleague answers it; the one after lists them
// again.
func TestRescanAsksEveryone(t *testing.T) {
	c := newAnswerCache(DefaultService, DefaultDomain, 30*time.Second)
	t0 := time.Now()
	c.heard(answerOf(t, "hw-a", 4001, "10.0.0.1", 3200), src("hw-a"), t0)
	c.askEveryone()
	if q, _ := c.nextQuery(t0.Add(time.Second)); len(knownIn(t, q)) != 0 {
		t.Fatalf("the query after a rescan lists %v", knownIn(t, q))
	}
	if q, _ := c.nextQuery(t0.Add(2 * time.Second)); len(knownIn(t, q)) != 1 {
		t.Fatalf("the query after that lists %v, want hw-a", knownIn(t, q))
	}
}

// One machine flooding made-up instances fills its own share of the
// cache; a colleague announcing from another address is still kept and
// reported at once, and a spoof of its name from the flooder is kept
// apart from it.
func TestFloodFromOneAddressLeavesRoom(t *testing.T) {
	c := newAnswerCache(DefaultService, DefaultDomain, 30*time.Second)
	t0 := time.Now()
	flooder := src("flooder")
	for i := range 1000 {
		c.heard(answerOf(t, fmt.Sprintf("hw-fake-%d", i), 4001, "10.0.0.66", 3200), flooder, t0)
	}
	if n := c.bySource[flooder]; n != maxPerSource || len(c.entries) != maxPerSource {
		t.Fatalf("the flooder has %d entries, the cache %d: want %d", n, len(c.entries), maxPerSource)
	}
	got := c.heard(answerOf(t, "hw-cat", 4001, "10.0.0.7", 3200), src("hw-cat"), t0)
	if len(got) != 1 || got[0].Instance != "hw-cat" {
		t.Fatalf("a colleague's answer during the flood gave %+v", got)
	}
	// The flooder's answers that change nothing are not reported again.
	if got := c.heard(answerOf(t, "hw-fake-0", 4001, "10.0.0.66", 3200), flooder, t0); len(got) != 0 {
		t.Fatalf("an unchanged answer was reported again: %+v", got)
	}
	c2 := newAnswerCache(DefaultService, DefaultDomain, 30*time.Second)
	c2.heard(answerOf(t, "hw-cat", 4001, "10.0.0.7", 3200), src("hw-cat"), t0)
	c2.heard(answerOf(t, "hw-cat", 4001, "10.0.0.66", 3200), flooder, t0) // Cat's name, the flooder's address
	var addrs []string
	for _, e := range c2.live(t0) {
		addrs = append(addrs, e.AddrIPv4[0].String())
	}
	if slices.Sort(addrs); fmt.Sprint(addrs) != "[10.0.0.66 10.0.0.7]" {
		t.Fatalf("Cat reported at %v, want her own address and the spoof apart", addrs)
	}
	if q, _ := c2.nextQuery(t0); len(knownIn(t, q)) != 1 {
		t.Fatalf("Cat listed %d times as a known answer, want once", len(knownIn(t, q)))
	}
}
