package p2p

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/pnet"
	yamuxt "github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	swarm "github.com/libp2p/go-libp2p/p2p/net/swarm"
	noise "github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2ptls "github.com/libp2p/go-libp2p/p2p/security/tls"
	tcp "github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// Handler receives what colleagues send. The core service implements it.
// Calls may come from many goroutines at once.
type Handler interface {
	// HandleDM makes an incoming message durable. Returning nil
	// acknowledges it to the sender, so it must return only after the
	// message is committed.
	HandleDM(ctx context.Context, from peer.ID, m DM) error
	// HandleProfile takes a colleague's profile and the peers it knows.
	HandleProfile(ctx context.Context, from peer.ID, p Profile)
	// PeerConnected and PeerDisconnected report the first live connection
	// to a peer and the loss of the last one. PeerConnected comes again,
	// with no PeerDisconnected between, for a peer that lost every
	// connection and made a new one before the loss was handled.
	PeerConnected(id peer.ID)
	PeerDisconnected(id peer.ID)
}

// Config configures a Node. Zero values are the documented defaults.
type Config struct {
	Identity ic.PrivKey
	// ListenAddrs default to every IPv4 and IPv6 interface on a random port.
	ListenAddrs []string
	// PSK is the 32-byte workspace key; nil runs an open LAN workspace.
	PSK []byte
	// KeepAlive is the liveness probe interval: each connection is pinged
	// that often, and dropped when the answer takes 4×KeepAlive, so a
	// colleague that vanished goes offline within 5×KeepAlive. Default
	// 2 s: offline within 10 s, while a colleague's machine that stalls
	// for a few seconds (swapping, waking up, a busy office on a small
	// machine) keeps its connections. A node holding many connections
	// pings each less often (keepalive.go).
	KeepAlive time.Duration
	Logger    *slog.Logger
	// AllowNets are address ranges beyond the LAN's private ones where
	// colleagues may be (a VPN's): dialled, accepted and advertised like
	// the LAN's. WorkspaceNets are the workspace's, which the node also
	// relays for (relay.go). SetAllowNets replaces both.
	AllowNets, WorkspaceNets []netip.Prefix
	// NoRelay neither serves colleagues as a relay nor holds a slot with
	// one (relay.go); it may still dial a colleague through a relay.
	NoRelay bool
	// NoBulk turns the bulk file lane off, both serving and fetching: file
	// chunks then travel over libp2p streams only.
	NoBulk bool
	// Admission is what the node makes of a key (admission.go): one
	// verdict, asked at every connection, stream and gossip message, so
	// it must be fast. Nil admits everyone.
	Admission func(peer.ID) Admission

	// floodPublish, for tests of this package only, plays a modified
	// client that sends its own posts to every subscriber, mesh or not.
	floodPublish bool
	// signGossip, for tests of this package only, plays a client that
	// signs its gossip as libp2p does by default (StrictSign).
	signGossip bool
	// pingBudget, for tests of this package only, replaces
	// keepAlivePings.
	pingBudget int
}

// Node is a running libp2p host with Hallway's protocols.
type Node struct {
	host    host.Host
	handler Handler
	log     *slog.Logger
	private bool
	psk     []byte // Config.PSK, for hosts that live for one question (identify.go)
	nets    *officeNets
	flood   bool // Config.floodPublish
	signed  bool // Config.signGossip

	tlsOnce sync.Once // makes tlsID, the bulk lanes' certificate
	tlsID   *libp2ptls.Identity
	tlsErr  error

	ctx     context.Context
	cancel  context.CancelFunc
	tracked tracked // goroutines Close waits for (track.go)

	ps *pubsub.PubSub

	mu        sync.Mutex // guards connected
	connected sessions
	entrants  entrantConns

	noBulk                                    bool
	relay                                     io.Closer     // the relay service, nil with NoRelay
	slotGrace                                 time.Duration // see MayRelayFor; tests shorten it
	rsv                                       reservations
	bulk                                      bulkSessions
	dmPace, profilePace, syncPace, redeemPace *Pace
	typingPace                                *Pace
	dmBytes                                   *Pace // durable cost of direct messages, in bytes
	admission                                 func(peer.ID) Admission

	quota     *roomQuota // what each author may post per room
	sendQuota *roomQuota // what we post ourselves, a margin below quota
	gossip    gossipCounters
	scores    scoreBoard
	struck    strikes // quota strikes against authors

	proven    provenTopics   // peers that proved a room epoch
	followed  followedTopics // the room topics we follow, by name
	provers   provers        // proof requests to peers, per peer
	mesh      meshes         // our gossip meshes of room topics
	provePace *Pace

	syncAnswers, syncServed atomic.Uint64 // sync requests answered, envelopes sent in answers
	pingMisses              atomic.Uint64 // keep-alive pings unanswered (keepalive.go)
	keepAliveClosed         atomic.Uint64 // connections closed for them
	lateAt                  atomic.Int64  // when the keep-alive loop last woke late (sinceStart)
}

// pingAnswerWait is how many keep-alive intervals a ping's answer may
// take before the connection is dropped (see Config.KeepAlive).
const pingAnswerWait = 4

// A dial has two bounds here. The colleague's machine must answer the TCP
// connection within connectWait: on a LAN one that has not by then is off
// or gone. Once it has, the whole dial (private-network nonce, Noise,
// muxer, identify) may take up to DialWait, as long as the colleague's
// listener gives an incoming one (libp2p's accept timeout, 15 s); the
// caller's deadline decides within that. libp2p's own bound for a local
// address, 5 s in all, would cut every dial to a busy machine (swapping,
// compiling, an office of 100 forming on one small computer), which
// answers a handshake in seconds (TestASlowHandshakeStillConnects).
const (
	connectWait = 5 * time.Second
	// DialWait is the most one dial may take.
	DialWait = 15 * time.Second
)

// New starts a host listening on cfg.ListenAddrs.
func New(cfg Config, h Handler) (*Node, error) {
	if cfg.Identity == nil {
		return nil, errors.New("p2p: no identity key")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if len(cfg.ListenAddrs) == 0 {
		cfg.ListenAddrs = []string{"/ip4/0.0.0.0/tcp/0", "/ip6/::/tcp/0"}
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 2 * time.Second
	}
	if cfg.pingBudget <= 0 {
		cfg.pingBudget = keepAlivePings
	}
	if cfg.PSK != nil && len(cfg.PSK) != 32 {
		return nil, fmt.Errorf("p2p: workspace key has %d bytes, want 32", len(cfg.PSK))
	}
	rm, err := newResourceManager()
	if err != nil {
		return nil, err
	}
	cm, err := newConnManager()
	if err != nil {
		rm.Close()
		return nil, err
	}
	// A vanished colleague (cable pulled, laptop lid closed) never sends a
	// FIN: yamux pings tell us within seconds instead of TCP's minutes
	// (sent by the node's own keep-alive loop, keepalive.go). The wait for
	// an answer (also the bound on one write) is pingAnswerWait intervals:
	// at 2, an office of 100 on one small machine, every node answering
	// pings late under load, dropped connections faster than it made them
	// (TestAStalledColleagueStaysOnline for one colleague).
	mux := *yamuxt.DefaultTransport
	mux.EnableKeepAlive = false
	mux.ConnectionWriteTimeout = pingAnswerWait * cfg.KeepAlive
	mux.InitialStreamWindowSize = 8 << 20

	if cfg.Admission == nil {
		cfg.Admission = func(peer.ID) Admission { return Admitted }
	}
	nets := &officeNets{}
	all, shared := slices.Concat(cfg.AllowNets, cfg.WorkspaceNets), slices.Clone(cfg.WorkspaceNets)
	nets.extra.Store(&all)
	nets.shared.Store(&shared)
	idx := &ifaceIndex{nets: nets}
	opts := []libp2p.Option{
		libp2p.Identity(cfg.Identity),
		libp2p.ListenAddrStrings(cfg.ListenAddrs...),
		// Dialing from the listen port (reuseport) only helps NAT traversal,
		// which Hallway never does; on a LAN it lets two colleagues who dial
		// each other at once collide in one TCP connection whose handshake
		// fails on both ends.
		libp2p.Transport(tcp.NewTCPTransport, tcp.DisableReuseport(), tcp.WithConnectionTimeout(connectWait)),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamuxt.ID, &mux),
		libp2p.ForceReachabilityPrivate(),
		libp2p.DisableIdentifyAddressDiscovery(),
		libp2p.ConnectionGater(lanGater{admission: cfg.Admission, nets: nets}),
		libp2p.AddrsFactory(idx.filterAdvertised),
		libp2p.ResourceManager(rm),
		libp2p.ConnectionManager(cm),
		libp2p.UserAgent("hallway/1"),
		libp2p.SwarmOpts(swarm.WithDialRanker(lanDialRanker), swarm.WithDialTimeout(DialWait), swarm.WithDialTimeoutLocal(DialWait)),
	}
	if cfg.PSK != nil {
		opts = append(opts, libp2p.PrivateNetwork(pnet.PSK(cfg.PSK)))
	}
	opts = append(opts, libp2p.EnableRelay()) // dial through colleagues' relays (relay.go)
	hst, err := libp2p.New(opts...)
	if err != nil {
		cm.Close()
		rm.Close()
		return nil, fmt.Errorf("p2p: start host: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Node{
		slotGrace: slotGraceAfterConnect,
		host:      hst,
		handler:   h,
		log:       cfg.Logger,
		private:   cfg.PSK != nil,
		psk:       cfg.PSK,
		nets:      nets,
		flood:     cfg.floodPublish,
		signed:    cfg.signGossip,
		ctx:       ctx,
		cancel:    cancel,
		connected: sessions{},
		noBulk:    cfg.NoBulk,
		rsv:       reservations{wake: make(chan struct{}, 1)},

		dmPace:      NewPace(dmPace),
		profilePace: NewPace(profilePace),
		typingPace:  NewPace(typingPace),
		syncPace:    NewPace(syncPace),
		redeemPace:  NewPace(redeemPace),
		provePace:   NewPace(provePace),
		dmBytes:     NewPace(dmBytesPace),
		admission:   cfg.Admission,
		quota:       newRoomQuota(RoomPostQuota),
		sendQuota:   newRoomQuota(RoomPostQuota.margin()),
	}
	hst.Network().Notify(&network.NotifyBundle{
		ConnectedF: func(_ network.Network, c network.Conn) {
			if n.entrant(c.RemotePeer()) {
				n.entrants.add(c)
				n.closeEntrantLater(c)
			}
			if isCircuit(c.RemoteMultiaddr()) {
				n.preferDirect(c)
			}
			n.connChanged(c.RemotePeer())
		},
		DisconnectedF: func(_ network.Network, c network.Conn) {
			n.entrants.remove(c)
			n.logClosed(c)
			n.connChanged(c.RemotePeer())
		},
	})
	if !cfg.NoRelay {
		if err := n.serveRelay(); err != nil {
			cancel()
			hst.Close()
			return nil, fmt.Errorf("p2p: serve relay: %w", err)
		}
	}
	n.goTracked(func() { n.keepAlive(cfg.KeepAlive, cfg.pingBudget) })
	n.handle(ProtoDM, n.serveDM)
	n.handle(ProtoProfile, n.serveProfile)
	n.handle(ProtoTyping, n.serveTyping)
	n.handle(ProtoProve, n.serveProve)
	if err := n.startPubsub(); err != nil {
		cancel()
		hst.Close()
		return nil, err
	}
	return n, nil
}

// Close closes every connection (colleagues see us go offline at once) and
// the host.
func (n *Node) Close() error {
	n.cancel()
	if n.relay != nil {
		n.relay.Close()
	}
	err := n.host.Close()
	n.closeTracked()
	return err
}

// Host exposes the libp2p host for protocols built on top (rooms).
func (n *Node) Host() host.Host { return n.host }

// ID is this node's peer ID.
func (n *Node) ID() peer.ID { return n.host.ID() }

// Private reports whether the node runs in a private workspace.
func (n *Node) Private() bool { return n.private }

// Addrs are the advertised addresses, each ending in /p2p/<id>: our own
// first, then those through colleagues' relays.
func (n *Node) Addrs() []ma.Multiaddr {
	p2pPart, err := ma.NewMultiaddr("/p2p/" + n.host.ID().String())
	if err != nil {
		return nil
	}
	var out []ma.Multiaddr
	for _, a := range n.host.Addrs() {
		out = append(out, a.Encapsulate(p2pPart))
	}
	slices.SortStableFunc(out, func(a, b ma.Multiaddr) int { return addrRank(a) - addrRank(b) })
	return out
}

// addrRank orders our addresses by how likely a colleague reaches us at
// them: the LAN's IPv4 first, then IPv6, loopback and link-local (which
// only a neighbour on the same link can dial), and relays last.
func addrRank(a ma.Multiaddr) int {
	if isCircuit(a) {
		return 5
	}
	if v, err := a.ValueForProtocol(ma.P_IP4); err == nil {
		if ip, err := netip.ParseAddr(v); err == nil && ip.IsLoopback() {
			return 3
		}
		return 0
	}
	if v, err := a.ValueForProtocol(ma.P_IP6); err == nil {
		ip, err := netip.ParseAddr(v)
		switch {
		case err != nil:
		case ip.IsLinkLocalUnicast():
			return 4
		case ip.IsLoopback():
			return 3
		}
		return 1
	}
	return 2
}

// ListenPort is the TCP port of the first IPv4 listener (what mDNS announces).
func (n *Node) ListenPort() int {
	for _, a := range n.host.Network().ListenAddresses() {
		if v, err := a.ValueForProtocol(ma.P_TCP); err == nil {
			if _, err4 := a.ValueForProtocol(ma.P_IP4); err4 == nil {
				var port int
				fmt.Sscan(v, &port)
				return port
			}
		}
	}
	return 0
}

// PeerAddrs returns the addresses the peerstore holds for id (each once)
// that this node's networks allow.
func (n *Node) PeerAddrs(id peer.ID) []ma.Multiaddr {
	var out []ma.Multiaddr
	for _, a := range n.host.Peerstore().Addrs(id) {
		if n.nets.allowsAddr(a) {
			out = append(out, a)
		}
	}
	return out
}

// PubKey returns the marshalled public key of an authenticated peer.
func (n *Node) PubKey(id peer.ID) []byte {
	pk, err := id.ExtractPublicKey()
	if err != nil {
		pk = n.host.Peerstore().PubKey(id)
	}
	if pk == nil {
		return nil
	}
	b, err := ic.MarshalPublicKey(pk)
	if err != nil {
		return nil
	}
	return b
}

// Connect dials id at addrs unless already connected. Failures are
// classified so the user learns why (see ErrDifferentWorkspace).
func (n *Node) Connect(ctx context.Context, id peer.ID, addrs []ma.Multiaddr) error {
	if id == n.host.ID() {
		return ErrSelf
	}
	if n.IsConnected(id) {
		return nil
	}
	// The swarm's own dial back-off is made for the internet; the caller
	// paces LAN dials itself, and a colleague back on the network should
	// not wait for a penalty earned while they were away.
	if sw, ok := n.host.Network().(*swarm.Swarm); ok {
		sw.Backoff().Clear(id)
	}
	err := n.host.Connect(ctx, peer.AddrInfo{ID: id, Addrs: addrs})
	if err == nil {
		return nil
	}
	// Addresses that did not prove to be id's leave the address book: a
	// spoofed announcement must not become a colleague's address, and a
	// flood of made-up peers must not grow the book.
	n.host.Peerstore().SetAddrs(id, addrs, 0)
	if !n.IsConnected(id) {
		n.host.Peerstore().RemovePeer(id)
	}
	reason := n.classifyDialError(ctx, id, addrs, err)
	return &DialFailure{Reason: reason, Attempts: dialAttempts(err, reason, addrs)}
}

func closeStream(s network.Stream, err error) {
	if err != nil && !errors.Is(err, io.EOF) {
		s.Reset()
		return
	}
	s.Close()
}
