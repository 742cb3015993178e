package adversary

import (
	"hallway/p2p"

	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/netip"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/pnet"
	yamuxt "github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	noise "github.com/libp2p/go-libp2p/p2p/security/noise"
	tcp "github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// Namespace runs fn on a thread inside a network namespace, so the sockets
// fn makes live there (netlab.Host implements it).
type Namespace interface {
	Do(fn func() error) error
}

// Config places a hostile peer.
type Config struct {
	NS Namespace
	IP netip.Addr // address to listen on, inside NS
	// PSK is the workspace key; nil for an open LAN workspace, or a wrong
	// key to play a stranger.
	PSK []byte
	// Key is the identity; nil makes a fresh Ed25519 key.
	Key ic.PrivKey
	// NoListen makes a peer that only dials (flood identities).
	NoListen bool
}

// Peer is one hostile node.
type Peer struct {
	Host host.Host
	Key  ic.PrivKey
	PS   *pubsub.PubSub
	ns   Namespace

	ctx    context.Context
	cancel context.CancelFunc
	topics *topics
	heard  overheard
}

// nsDialer makes every outgoing TCP connection from inside the namespace:
// libp2p dials from its own goroutines, which run outside it.
type nsDialer struct{ ns Namespace }

func (d nsDialer) DialContext(ctx context.Context, network, addr string) (c net.Conn, err error) {
	err = d.ns.Do(func() error {
		var nd net.Dialer
		c, err = nd.DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

// New starts a hostile peer. It runs gossipsub with strict signing, like
// Hallway, so that it can join room topics.
func New(cfg Config) (*Peer, error) {
	key := cfg.Key
	if key == nil {
		var err error
		if key, _, err = ic.GenerateEd25519Key(rand.Reader); err != nil {
			return nil, err
		}
	}
	mux := *yamuxt.DefaultTransport
	opts := []libp2p.Option{
		libp2p.Identity(key),
		libp2p.NoListenAddrs,
		libp2p.Transport(tcp.NewTCPTransport, tcp.DisableReuseport(),
			tcp.WithDialerForAddr(func(ma.Multiaddr) (tcp.ContextDialer, error) { return nsDialer{cfg.NS}, nil })),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamuxt.ID, &mux),
		libp2p.DisableRelay(),
		libp2p.ForceReachabilityPrivate(),
		libp2p.DisableIdentifyAddressDiscovery(),
		// No limits of its own: the limits under test are the victim's.
		libp2p.ResourceManager(&network.NullResourceManager{}),
		libp2p.UserAgent("hallway/1"),
	}
	if cfg.PSK != nil {
		opts = append(opts, libp2p.PrivateNetwork(pnet.PSK(cfg.PSK)))
	}
	h, err := libp2p.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("adversary: host: %w", err)
	}
	if !cfg.NoListen {
		listen, err := ma.NewMultiaddr(fmt.Sprintf("/ip4/%s/tcp/0", cfg.IP))
		if err == nil {
			err = cfg.NS.Do(func() error { return h.Network().Listen(listen) })
		}
		if err != nil {
			h.Close()
			return nil, fmt.Errorf("adversary: listen: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Peer{Host: h, Key: key, ns: cfg.NS, ctx: ctx, cancel: cancel, topics: newTopics()}
	if !cfg.NoListen {
		ps, err := pubsub.NewGossipSub(ctx, h,
			pubsub.WithFloodPublish(true),
			pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
			pubsub.WithPeerExchange(false),
			// Far above Hallway's cap, so oversize messages leave us.
			pubsub.WithMaxMessageSize(4<<20),
			pubsub.WithRawTracer(heardTracer{h: &p.heard}),
		)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("adversary: gossip: %w", err)
		}
		p.PS = ps
		h.SetStreamHandler(p2p.ProtoProve, p.serveProve)
	}
	return p, nil
}

// ID is the peer's identity.
func (p *Peer) ID() peer.ID { return p.Host.ID() }

// Addrs are the peer's listen addresses with /p2p.
func (p *Peer) Addrs() []ma.Multiaddr {
	suffix, _ := ma.NewMultiaddr("/p2p/" + p.ID().String())
	var out []ma.Multiaddr
	for _, a := range p.Host.Network().ListenAddresses() {
		out = append(out, a.Encapsulate(suffix))
	}
	return out
}

// Connect dials a victim at a multiaddr ending in /p2p/<id>.
func (p *Peer) Connect(ctx context.Context, addr string) (peer.ID, error) {
	a, err := ma.NewMultiaddr(addr)
	if err != nil {
		return "", err
	}
	ai, err := peer.AddrInfoFromP2pAddr(a)
	if err != nil {
		return "", err
	}
	return ai.ID, p.Host.Connect(ctx, *ai)
}

// Close stops the peer.
func (p *Peer) Close() error {
	p.cancel()
	return p.Host.Close()
}

func randomPeer() peer.ID {
	_, pub, _ := ic.GenerateEd25519Key(rand.Reader)
	id, _ := peer.IDFromPublicKey(pub)
	return id
}
