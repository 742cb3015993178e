package chaos

import (
	"bytes"
	"slices"
	"testing"

	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// tcpAddr turns a daemon's multiaddr into host:port.
func tcpAddr(t *testing.T, addr string) string {
	t.Helper()
	a, err := ma.NewMultiaddr(addr)
	if err != nil {
		t.Fatal(err)
	}
	transport, _ := ma.SplitFunc(a, func(c ma.Component) bool { return c.Protocol().Code == ma.P_P2P })
	na, err := manet.ToNetAddr(transport)
	if err != nil {
		t.Fatal(err)
	}
	return na.String()
}

func containsAny(b []byte, words ...string) bool {
	for _, w := range words {
		if bytes.Contains(b, []byte(w)) {
			return true
		}
	}
	return false
}

func sortedStrings(ss []string) []string {
	out := append([]string(nil), ss...)
	slices.Sort(out)
	return out
}
