package p2p

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/protocol"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/x/rate"
)

// lanPrefixes are the private ranges an office uses. go-libp2p's defaults
// allow 8 connections per IPv4 address and 0.2 new connections per second,
// tuned for the public internet; behind one NAT'd Wi-Fi or after a network
// blip a whole office reconnects at once, so the LAN gets room of its own.
var lanPrefixes4 = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("169.254.0.0/16"),
}

var lanPrefixes6 = []netip.Prefix{
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
}

const (
	// lanConnsPerPrefix caps connections from a whole private range; an
	// office of a few hundred people with a couple of connections each fits.
	lanConnsPerPrefix = 4096
	// perAddrConns still caps one address, so a single misbehaving machine
	// cannot take every slot.
	perAddrConns = 64
)

// protocolStreamCaps bound the streams one peer may have open to us at once
// per protocol. A colleague's Hallway uses one or two (DM batches, a
// profile push, a sync round), the file protocol a few windows per
// download; a peer holding streams open without a byte, a slowloris, hits
// the cap instead of taking the node's goroutines and memory. What does
// get through is paced per peer (pace.go).
var protocolStreamCaps = map[protocol.ID]int{
	ProtoDM:      16,
	ProtoProfile: 4,
	ProtoSync:    8,
	ProtoFile:    64,
}

// outboundStreamCap is what we open ourselves per protocol and peer.
const outboundStreamCap = 256

func newResourceManager() (network.ResourceManager, error) {
	var v4, v6 []rcmgr.NetworkPrefixLimit
	for _, p := range lanPrefixes4 {
		v4 = append(v4, rcmgr.NetworkPrefixLimit{Network: p, ConnCount: lanConnsPerPrefix})
	}
	for _, p := range lanPrefixes6 {
		v6 = append(v6, rcmgr.NetworkPrefixLimit{Network: p, ConnCount: lanConnsPerPrefix})
	}
	var rateLimits []rate.PrefixLimit
	for _, p := range append(append([]netip.Prefix{}, lanPrefixes4...), lanPrefixes6...) {
		// a reconnect storm from the office is fine; a flood is still bounded
		rateLimits = append(rateLimits, rate.PrefixLimit{Prefix: p, Limit: rate.Limit{RPS: 50, Burst: 200}})
	}
	connRate := &rate.Limiter{
		NetworkPrefixLimits: rateLimits,
		SubnetRateLimiter: rate.SubnetLimiter{
			IPv4SubnetLimits: []rate.SubnetLimit{{PrefixLength: 32, Limit: rate.Limit{RPS: 5, Burst: 64}}},
			IPv6SubnetLimits: []rate.SubnetLimit{{PrefixLength: 64, Limit: rate.Limit{RPS: 5, Burst: 64}}},
			GracePeriod:      time.Minute,
		},
	}

	limits := rcmgr.DefaultLimits
	for proto, inbound := range protocolStreamCaps {
		limits.AddProtocolPeerLimit(proto, rcmgr.BaseLimit{
			StreamsInbound:  inbound,
			StreamsOutbound: outboundStreamCap,
			Streams:         inbound + outboundStreamCap,
			Memory:          limits.ProtocolPeerBaseLimit.Memory,
		}, rcmgr.BaseLimitIncrease{Memory: limits.ProtocolPeerLimitIncrease.Memory})
	}
	limits.SystemBaseLimit.ConnsInbound = 1024
	limits.SystemBaseLimit.Conns = 2048
	limits.SystemBaseLimit.StreamsInbound = 8192
	limits.SystemBaseLimit.Streams = 16384
	scaled := limits.AutoScale()

	rm, err := rcmgr.NewResourceManager(
		rcmgr.NewFixedLimiter(scaled),
		rcmgr.WithNetworkPrefixLimit(v4, v6),
		rcmgr.WithLimitPerSubnet(
			[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 32, ConnCount: perAddrConns}},
			[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 64, ConnCount: perAddrConns}},
		),
		rcmgr.WithConnRateLimiters(connRate),
		rcmgr.WithMetricsDisabled(),
	)
	if err != nil {
		return nil, fmt.Errorf("p2p: resource manager: %w", err)
	}
	return rm, nil
}
