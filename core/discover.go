package core

import (
	"context"
	"strings"

	"hallway/chat"
)

// startDiscovery starts static peers and, unless disabled, mDNS, as
// goroutines of the service that report to errc.
func (s *Service) startDiscovery(ctx context.Context, errc chan<- error) error {
	loops, err := s.intake.Start(ctx)
	s.followCodeAddrs()
	for _, run := range loops {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); errc <- run(ctx) }()
	}
	return err
}

// AddPeer remembers a colleague's address (for networks where mDNS does
// not reach) and tries to connect at once, reporting why not if it fails.
// A plain HOST[:PORT] is not saved: the result names who answers there,
// and the full address to save once the user knows it is them.
func (s *Service) AddPeer(ctx context.Context, addr string) (chat.AddPeerResult, error) {
	if !strings.HasPrefix(strings.TrimSpace(addr), "/") {
		return s.addHost(ctx, addr)
	}
	return s.intake.AddPeer(ctx, addr)
}

// NearbyWorkspaces lists the other workspaces seen on the LAN lately, with
// how many colleagues announce each, the most populated first. In the open
// LAN workspace these are the private workspaces a user may join with a
// code from a colleague; mDNS carries nothing of them but a public tag.
func (s *Service) NearbyWorkspaces(context.Context) ([]chat.NearbyWorkspace, error) {
	return s.intake.NearbyWorkspaces(), nil
}
