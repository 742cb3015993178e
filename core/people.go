package core

import (
	"context"

	"hallway/chat"
	"hallway/core/people"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// openPeople builds the colleagues' side of the service (block list,
// dialer, directory, discovery intake, presence, trust book) and loads
// the block list and the own profile.
func (s *Service) openPeople(ctx context.Context) error {
	ports := (*peoplePorts)(s)
	s.blocks = people.NewBlocklist(people.BlocklistDeps{Store: s.store, Self: ports, Names: ports, Net: ports,
		Redial: ports, Publisher: ports})
	if err := s.blocks.Load(ctx); err != nil {
		return err
	}
	s.dial = people.NewDialer(people.DialerConfig{Logger: s.log}, people.DialerDeps{Net: ports, Store: s.store, Blocks: s.blocks,
		OtherKey: s.otherKey})
	s.colleagues = people.NewDirectory(people.DirectoryDeps{Store: s.store, Links: ports, Problems: s.dial, Blocks: s.blocks})
	s.intake = people.NewIntake(
		people.IntakeConfig{StaticPeers: s.cfg.StaticPeers, NoMDNS: s.cfg.NoMDNS, WorkspaceTag: s.workspaceTag(), Logger: s.log},
		people.IntakeDeps{Store: s.store, Net: ports, Sink: s.dial,
			Nearby: func(ws []chat.NearbyWorkspace) { s.bus.publish(chat.NearbyChanged{Workspaces: ws}) }})
	s.presence = people.NewPresence(
		people.PresenceConfig{Name: s.cfg.Name, Key: s.key.GetPublic(), Workspace: s.workspace(),
			WorkspaceTag: s.workspaceTag(), DataDir: s.cfg.DataDir, Logger: s.log},
		people.PresenceDeps{Store: s.store, Net: ports, Publisher: ports, Others: s.intake,
			Directory: s.colleagues, Sightings: s.dial})
	s.trust = people.NewTrustBook(people.TrustConfig{Key: s.key.GetPublic()},
		people.TrustDeps{Store: s.store, Self: ports, Resolver: s.colleagues, Publisher: ports, Events: s})
	s.authors = people.NewAuthors(s.trust, func() string { return s.currentProfile().Name })
	return s.presence.Load(ctx)
}

// peoplePorts lends the people feature the network host, which starts
// after the feature is built, and the event bus.
type peoplePorts Service

func (p *peoplePorts) ID() peer.ID                         { return p.node.ID() }
func (p *peoplePorts) Addrs() []ma.Multiaddr               { return p.node.Addrs() }
func (p *peoplePorts) ListenPort() int                     { return p.node.ListenPort() }
func (p *peoplePorts) IsConnected(id peer.ID) bool         { return p.node.IsConnected(id) }
func (p *peoplePorts) ConnectedPeers() []peer.ID           { return p.node.ConnectedPeers() }
func (p *peoplePorts) Route(id peer.ID) (string, peer.ID)  { return p.node.Route(id) }
func (p *peoplePorts) ThroughMe() []ma.Multiaddr           { return p.node.ThroughMe() }
func (p *peoplePorts) MayRelayFor(id peer.ID) bool         { return p.node.MayRelayFor(id) }
func (p *peoplePorts) PeerAddrs(id peer.ID) []ma.Multiaddr { return p.node.PeerAddrs(id) }
func (p *peoplePorts) PubKey(id peer.ID) []byte            { return p.node.PubKey(id) }
func (p *peoplePorts) Disconnect(id peer.ID)               { p.node.Disconnect(id) }

// Publish publishes e; a PeerUpdated carries the colleague as they are
// when it is published (publishPeer).
func (p *peoplePorts) Publish(e chat.Event) {
	if u, ok := e.(chat.PeerUpdated); ok {
		if id, err := peer.Decode(u.Peer.PeerID); err == nil {
			(*Service)(p).publishPeer(id, func(c chat.Colleague) chat.Event { return chat.PeerUpdated{Peer: c} })
			return
		}
	}
	p.bus.publish(e)
}

func (p *peoplePorts) Colleague(ctx context.Context, id peer.ID) chat.Colleague {
	return p.colleagues.Colleague(ctx, id)
}

func (p *peoplePorts) Reconnect(ctx context.Context, id peer.ID) { p.dial.Reconnect(ctx, id) }

func (p *peoplePorts) PushProfile(ctx context.Context, to peer.ID, prof p2p.Profile) error {
	return p.node.PushProfile(ctx, to, prof)
}

func (p *peoplePorts) Connect(ctx context.Context, id peer.ID, addrs []ma.Multiaddr) error {
	return p.node.Connect(ctx, id, addrs)
}
