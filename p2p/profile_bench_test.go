package p2p

import (
	"encoding/json"
	"fmt"
	"testing"
)

// officeProfile is a profile frame as a colleague's push makes it while an
// office arrives: 16 introductions, each of six addresses of the
// colleague's own and two circuits through the introducer's relay.
func officeProfile(b *testing.B) []byte {
	b.Helper()
	relay := testPeer(b)
	p := Profile{Name: "Ann", Status: "available", Version: 3, Clock: 1}
	for i := range 16 {
		k := KnownPeer{ID: testPeer(b).String()}
		for j := range 6 {
			k.Addrs = append(k.Addrs, fmt.Sprintf("/ip4/192.168.%d.%d/tcp/4001", j, 20+i))
		}
		for j := range 2 {
			k.Addrs = append(k.Addrs, fmt.Sprintf("/ip4/192.168.1.%d/tcp/4001/p2p/%s/p2p-circuit", 2+j, relay))
		}
		p.Known = append(p.Known, k)
	}
	frame, err := json.Marshal(p)
	if err != nil {
		b.Fatal(err)
	}
	return frame
}

// What taking a colleague's profile costs: decoded and checked, its
// introductions' addresses left as text (most are of colleagues connected
// already, whose addresses go unread), beside the same with every address
// parsed, as each profile was taken before.
func BenchmarkDecodeProfile(b *testing.B) {
	frame := officeProfile(b)
	b.Run("addresses as text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if p, err := DecodeProfile(frame); err != nil || len(p.Known) != 16 {
				b.Fatalf("DecodeProfile: %d introductions, %v", len(p.Known), err)
			}
		}
	})
	b.Run("every address parsed (baseline)", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p, err := DecodeProfile(frame)
			if err != nil {
				b.Fatal(err)
			}
			for _, k := range p.Known {
				if len(k.Multiaddrs()) != 8 {
					b.Fatal("an address did not parse")
				}
			}
		}
	})
}
