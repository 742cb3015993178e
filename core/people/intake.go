package people

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/discovery"

	ma "github.com/multiformats/go-multiaddr"
)

// Intake starts discovery (the configured and saved addresses, and mDNS
// unless it is off) and takes the addresses the user adds; what it finds
// goes to the dialer. It does not dial by itself except for AddPeer's one
// immediate attempt.
type Intake struct {
	cfg   IntakeConfig
	log   *slog.Logger
	store StaticStore
	net   IntakeNet
	sink  discovery.Sink
	near  func([]chat.NearbyWorkspace)

	// mu guards static and mdns, which Start sets.
	mu     sync.Mutex
	static *discovery.Static
	mdns   *discovery.MDNS
}

// IntakeConfig configures discovery.
type IntakeConfig struct {
	// StaticPeers are colleagues' addresses (ending in /p2p/<id>) dialled
	// in addition to those found by mDNS and those added with AddPeer.
	StaticPeers []string
	// NoMDNS turns LAN discovery off.
	NoMDNS bool
	// WorkspaceTag is announced on the LAN so that other workspaces can
	// tell us apart.
	WorkspaceTag string
	Logger       *slog.Logger // default: discard
}

// IntakeDeps are what the intake works with.
type IntakeDeps struct {
	Store StaticStore
	Net   IntakeNet
	Sink  discovery.Sink // the dialer
	// Nearby, when set, hears the other workspaces seen on the LAN each
	// time their list changes; it must not block.
	Nearby func([]chat.NearbyWorkspace)
}

// NewIntake returns an intake; discovery begins with Start.
func NewIntake(cfg IntakeConfig, deps IntakeDeps) *Intake {
	return &Intake{cfg: cfg, log: orDiscard(cfg.Logger), store: deps.Store, net: deps.Net, sink: deps.Sink, near: deps.Nearby}
}

// Start prepares static discovery and, unless disabled, mDNS, and returns
// their loops for the caller to run until ctx ends. When mDNS cannot
// start, the static loop comes back with the error.
func (in *Intake) Start(ctx context.Context) ([]func(context.Context) error, error) {
	saved, err := in.store.StaticPeers(ctx)
	if err != nil {
		return nil, fmt.Errorf("read saved colleagues: %w", err)
	}
	var addrs []ma.Multiaddr
	for _, raw := range append(append([]string{}, in.cfg.StaticPeers...), saved...) {
		a, err := ma.NewMultiaddr(raw)
		if err != nil {
			return nil, chat.UserErrorf("colleague address %q is not a multiaddr: %v", raw, err)
		}
		addrs = append(addrs, a)
	}
	st, err := discovery.NewStatic(addrs, in.sink, in.log)
	if err != nil {
		return nil, chat.UserErrorf("%v", err)
	}
	in.mu.Lock()
	in.static = st
	in.mu.Unlock()
	loops := []func(context.Context) error{st.Run}
	if in.cfg.NoMDNS {
		return loops, nil
	}
	var onWorkspaces func([]discovery.Workspace)
	if in.near != nil {
		onWorkspaces = func(ws []discovery.Workspace) { in.near(nearbyOf(ws)) }
	}
	m, err := discovery.NewMDNS(discovery.MDNSConfig{
		Self: in.net.ID(), Port: in.net.ListenPort(), WorkspaceTag: in.cfg.WorkspaceTag, Logger: in.log,
		OnWorkspaces: onWorkspaces,
	}, in.sink)
	if err != nil {
		return loops, fmt.Errorf("start LAN discovery: %w", err)
	}
	in.mu.Lock()
	in.mdns = m
	in.mu.Unlock()
	return append(loops, m.Run), nil
}

// MDNS says whether LAN discovery runs, when it last heard another
// Hallway, and on which interfaces it runs.
func (in *Intake) MDNS() (on bool, heard time.Time, ifaces []string) {
	in.mu.Lock()
	m := in.mdns
	in.mu.Unlock()
	if m == nil {
		return false, time.Time{}, nil
	}
	return true, m.Heard(), m.Interfaces()
}

// OtherWorkspaces counts the Hallways mDNS saw in other workspaces.
func (in *Intake) OtherWorkspaces() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.mdns == nil {
		return 0
	}
	return in.mdns.OtherWorkspaces()
}

// NearbyWorkspaces lists the other workspaces mDNS saw on the LAN lately,
// the most populated first; none without mDNS.
func (in *Intake) NearbyWorkspaces() []chat.NearbyWorkspace {
	in.mu.Lock()
	m := in.mdns
	in.mu.Unlock()
	if m == nil {
		return []chat.NearbyWorkspace{}
	}
	return nearbyOf(m.Workspaces())
}

// nearbyOf is what the user is told of the workspaces discovery saw.
func nearbyOf(ws []discovery.Workspace) []chat.NearbyWorkspace {
	out := make([]chat.NearbyWorkspace, 0, len(ws))
	for _, w := range ws {
		out = append(out, chat.NearbyWorkspace{Tag: w.Tag, Colleagues: w.Peers, Open: w.Tag == hcrypto.OpenWorkspaceTag})
	}
	return out
}

// AddPeer remembers a colleague's address (for networks where mDNS does
// not reach) and tries to connect at once, reporting why not if it fails.
func (in *Intake) AddPeer(ctx context.Context, addr string) (chat.AddPeerResult, error) {
	a, err := ma.NewMultiaddr(addr)
	if err != nil {
		return chat.AddPeerResult{}, chat.UserErrorf("%q is not an address like /ip4/192.168.1.20/tcp/4001/p2p/12D3KooW…: %v", addr, err)
	}
	id, transport, err := discovery.SplitP2PAddr(a)
	if err != nil {
		return chat.AddPeerResult{}, chat.UserErrorf("%v", err)
	}
	if id == in.net.ID() {
		return chat.AddPeerResult{}, chat.UserErrorf("that is this Hallway's own address")
	}
	res := chat.AddPeerResult{PeerID: id.String(), Addr: a.String()}
	if _, err := in.store.AddStaticPeer(ctx, a.String()); err != nil {
		return res, fmt.Errorf("save colleague address: %w", err)
	}
	res.Saved = true
	in.mu.Lock()
	st := in.static
	in.mu.Unlock()
	if st != nil {
		if err := st.Add(a); err != nil {
			in.log.Debug("static add", "err", err)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	if err := in.net.Connect(cctx, id, []ma.Multiaddr{transport}); err != nil {
		res.Problem = err.Error()
		return res, nil
	}
	res.Connected = true
	return res, nil
}
