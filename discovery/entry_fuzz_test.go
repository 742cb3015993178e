package discovery

import (
	"net"
	"strings"
	"testing"

	"github.com/grandcat/zeroconf"
)

// FuzzParseEntry feeds whole browse results, as a hostile announcer can
// shape them: TXT strings (split on NUL), port, and address bytes (split
// into 4- and 16-byte chunks). A sighting built from an accepted entry
// holds only dialable TCP addresses, at most maxAddrsPerSighting.
func FuzzParseEntry(f *testing.F) {
	f.Add("id="+idA+"\x00ws=office\x00v=1", 4001, []byte{10, 0, 0, 7}, []byte{})
	f.Add("id="+idA+"\x00ws=office\x00v=1", 0, []byte{127, 0, 0, 1, 224, 0, 0, 251}, []byte{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add("id="+idA+"\x00ws=o", 70000, []byte{255, 255, 255, 255, 0, 0, 0, 0}, make([]byte, 16*20))
	f.Fuzz(func(t *testing.T, txt string, port int, v4, v6 []byte) {
		e := zeroconf.NewServiceEntry("hw-x", DefaultService, DefaultDomain)
		e.Text = strings.Split(txt, "\x00")
		e.Port = port
		for len(v4) >= 4 && len(e.AddrIPv4) < 64 {
			e.AddrIPv4 = append(e.AddrIPv4, net.IP(v4[:4]))
			v4 = v4[4:]
		}
		for len(v6) >= 16 && len(e.AddrIPv6) < 64 {
			e.AddrIPv6 = append(e.AddrIPv6, net.IP(v6[:16]))
			v6 = v6[16:]
		}
		if _, _, err := ParseEntry(e); err != nil {
			return
		}
		if port < 1 || port > 65535 {
			t.Fatalf("accepted port %d", port)
		}
		addrs := entryAddrs(e)
		if len(addrs) > maxAddrsPerSighting {
			t.Fatalf("%d addresses in one sighting", len(addrs))
		}
		for _, a := range addrs {
			if !strings.Contains(a.String(), "/tcp/") {
				t.Fatalf("address %s without a TCP port", a)
			}
		}
	})
}
