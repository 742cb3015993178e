package p2p

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/protocol"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/x/rate"
)

// Connection limits. go-libp2p's defaults allow 8 connections per IPv4
// address and 0.2 new ones per second, tuned for the public internet;
// behind one NAT'd Wi-Fi or after a network blip several colleagues share
// an address and reconnect at once, so each address gets more room. Every
// address has its own counts, the LAN's included: one machine that floods
// uses up its own allowance, never the office's. Only loopback, one
// machine's own Hallways and tests, is counted as a whole.
const (
	// perAddrConns caps the connections of one address.
	perAddrConns = 64
	// perAddrRate and perAddrBurst pace new connections from one address.
	perAddrRate  = 5
	perAddrBurst = 64
	// allAddrsRate and allAddrsBurst bound new connections from everyone.
	allAddrsRate  = 500
	allAddrsBurst = 2000
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

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
	ProtoRedeem:  2,
	ProtoEnter:   2,
	ProtoProve:   4,
	ProtoNetKey:  2,
	ProtoTyping:  2,
}

// outboundStreamCap is what we open ourselves per protocol and peer.
const outboundStreamCap = 256

// Memory for serving files (chunkbuf.go). A buffer serving a run of chunks
// is reserved in its stream's scope, so it counts against the stream, the
// peer, the file protocol for that peer and for all peers, and the node.
// One peer gets a few of the largest (16 MiB) chunk buffers at once, or
// dozens of the usual 1 MiB ones; all peers together a few hundred MiB.
// A bulk lane's buffer counts against its connection.
const (
	streamMemory        = maxChunkBytes + 1<<20
	fileMemoryPerPeer   = 72 << 20
	fileMemoryAllPeers  = 256 << 20
	connMemoryWithALane = 64 << 20
)

// Hallway keeps a connection to every colleague online: a room's gossip,
// presence and DMs go straight to each. libp2p's default connection
// manager, made for the public DHT, closes connections beyond 192 down to
// 160 every minute, so in an office of 200 each node would cut forty
// colleagues and the dialer would bring them back, over and over. Ours
// trims only past what the resource manager admits at all (systemConns),
// and never below officeConns: an office that large keeps every
// connection.
const (
	officeConns = 1024
	systemConns = 2048
)

func newConnManager() (*connmgr.BasicConnMgr, error) {
	cm, err := connmgr.NewConnManager(officeConns, systemConns)
	if err != nil {
		return nil, fmt.Errorf("p2p: connection manager: %w", err)
	}
	return cm, nil
}

// resourceLimits are libp2p's defaults scaled to the machine, with room for
// an office and the caps above.
func resourceLimits() rcmgr.ConcreteLimitConfig {
	limits := rcmgr.DefaultLimits
	for proto, inbound := range protocolStreamCaps {
		mem, memInc := limits.ProtocolPeerBaseLimit.Memory, limits.ProtocolPeerLimitIncrease.Memory
		if proto == ProtoFile {
			mem, memInc = fileMemoryPerPeer, 0
		}
		limits.AddProtocolPeerLimit(proto, rcmgr.BaseLimit{
			StreamsInbound:  inbound,
			StreamsOutbound: outboundStreamCap,
			Streams:         inbound + outboundStreamCap,
			Memory:          mem,
		}, rcmgr.BaseLimitIncrease{Memory: memInc})
	}
	limits.AddProtocolLimit(ProtoFile, rcmgr.BaseLimit{
		StreamsInbound:  limits.ProtocolBaseLimit.StreamsInbound,
		StreamsOutbound: limits.ProtocolBaseLimit.StreamsOutbound,
		Streams:         limits.ProtocolBaseLimit.Streams,
		Memory:          fileMemoryAllPeers,
	}, rcmgr.BaseLimitIncrease{
		StreamsInbound:  limits.ProtocolLimitIncrease.StreamsInbound,
		StreamsOutbound: limits.ProtocolLimitIncrease.StreamsOutbound,
		Streams:         limits.ProtocolLimitIncrease.Streams,
	})
	limits.StreamBaseLimit.Memory = streamMemory
	limits.ConnBaseLimit.Memory = connMemoryWithALane
	limits.SystemBaseLimit.ConnsInbound = 1024
	limits.SystemBaseLimit.Conns = systemConns
	limits.SystemBaseLimit.StreamsInbound = 8192
	limits.SystemBaseLimit.Streams = 16384
	return limits.AutoScale()
}

func newResourceManager() (network.ResourceManager, error) {
	var v4, v6 []rcmgr.NetworkPrefixLimit
	var rateLimits []rate.PrefixLimit
	for _, p := range loopback {
		if p.Addr().Is4() {
			v4 = append(v4, rcmgr.NetworkPrefixLimit{Network: p, ConnCount: 4096})
		} else {
			v6 = append(v6, rcmgr.NetworkPrefixLimit{Network: p, ConnCount: 4096})
		}
		rateLimits = append(rateLimits, rate.PrefixLimit{Prefix: p, Limit: rate.Limit{RPS: 1000, Burst: 1000}})
	}
	perAddr := rate.Limit{RPS: perAddrRate, Burst: perAddrBurst}
	connRate := &rate.Limiter{
		NetworkPrefixLimits: rateLimits,
		GlobalLimit:         rate.Limit{RPS: allAddrsRate, Burst: allAddrsBurst},
		SubnetRateLimiter: rate.SubnetLimiter{
			IPv4SubnetLimits: []rate.SubnetLimit{{PrefixLength: 32, Limit: perAddr}},
			IPv6SubnetLimits: []rate.SubnetLimit{{PrefixLength: 64, Limit: perAddr}},
			GracePeriod:      time.Minute,
		},
	}

	scaled := resourceLimits()

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
