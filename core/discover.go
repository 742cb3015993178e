package core

import (
	"context"
	"fmt"

	"hallway/chat"
	"hallway/discovery"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// startDiscovery starts static peers and, unless disabled, mDNS.
func (s *Service) startDiscovery(ctx context.Context, errc chan<- error) error {
	saved, err := s.store.StaticPeers(ctx)
	if err != nil {
		return fmt.Errorf("read saved colleagues: %w", err)
	}
	var addrs []ma.Multiaddr
	for _, raw := range append(append([]string{}, s.cfg.StaticPeers...), saved...) {
		a, err := ma.NewMultiaddr(raw)
		if err != nil {
			return chat.UserErrorf("colleague address %q is not a multiaddr: %v", raw, err)
		}
		addrs = append(addrs, a)
	}
	st, err := discovery.NewStatic(addrs, s.dial, s.log)
	if err != nil {
		return chat.UserErrorf("%v", err)
	}
	s.discMu.Lock()
	s.static = st
	s.discMu.Unlock()
	s.wg.Add(1)
	go func() { defer s.wg.Done(); errc <- st.Run(ctx) }()

	if s.cfg.NoMDNS {
		return nil
	}
	m, err := discovery.NewMDNS(discovery.MDNSConfig{
		Self: s.node.ID(), Port: s.node.ListenPort(), WorkspaceTag: s.workspaceTag(), Logger: s.log,
	}, s.dial)
	if err != nil {
		return fmt.Errorf("start LAN discovery: %w", err)
	}
	s.discMu.Lock()
	s.mdns = m
	s.discMu.Unlock()
	s.wg.Add(1)
	go func() { defer s.wg.Done(); errc <- m.Run(ctx) }()
	return nil
}

func (s *Service) otherWorkspaces() int {
	s.discMu.Lock()
	defer s.discMu.Unlock()
	if s.mdns == nil {
		return 0
	}
	return s.mdns.OtherWorkspaces()
}

// AddPeer remembers a colleague's address (for networks where mDNS does
// not reach) and tries to connect at once, reporting why not if it fails.
func (s *Service) AddPeer(ctx context.Context, addr string) (chat.AddPeerResult, error) {
	a, err := ma.NewMultiaddr(addr)
	if err != nil {
		return chat.AddPeerResult{}, chat.UserErrorf("%q is not an address like /ip4/192.168.1.20/tcp/4001/p2p/12D3KooW…: %v", addr, err)
	}
	id, transport, err := discovery.SplitP2PAddr(a)
	if err != nil {
		return chat.AddPeerResult{}, chat.UserErrorf("%v", err)
	}
	if id == s.node.ID() {
		return chat.AddPeerResult{}, chat.UserErrorf("that is this Hallway's own address")
	}
	res := chat.AddPeerResult{PeerID: id.String(), Addr: a.String()}
	if _, err := s.store.AddStaticPeer(ctx, a.String()); err != nil {
		return res, fmt.Errorf("save colleague address: %w", err)
	}
	res.Saved = true
	s.discMu.Lock()
	st := s.static
	s.discMu.Unlock()
	if st != nil {
		if err := st.Add(a); err != nil {
			s.log.Debug("static add", "err", err)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	if err := s.node.Connect(cctx, id, []ma.Multiaddr{transport}); err != nil {
		res.Problem = err.Error()
		return res, nil
	}
	res.Connected = true
	return res, nil
}

// connectProblem is why a colleague is not connected, if known.
func (s *Service) connectProblem(id peer.ID) string {
	if err := s.dial.lastError(id); err != nil {
		return err.Error()
	}
	return ""
}
