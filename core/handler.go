package core

import (
	"context"

	"hallway/chat"
	"hallway/discovery"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// handler is the Service as the p2p layer sees it; keeping these methods on
// a separate type keeps them out of the Service's public API.
type handler Service

var _ p2p.Handler = (*handler)(nil)

func (h *handler) svc() *Service { return (*Service)(h) }

func (h *handler) HandleDM(ctx context.Context, from peer.ID, m p2p.DM) error {
	return h.svc().receiveDM(ctx, from, m)
}

func (h *handler) HandleProfile(ctx context.Context, from peer.ID, p p2p.Profile) {
	s := h.svc()
	changed, err := s.acceptProfile(ctx, from, p)
	if err != nil {
		s.log.Warn("colleague profile", "peer", from, "err", err)
	}
	if changed {
		s.bus.publish(chat.PeerUpdated{Peer: s.colleague(ctx, from)})
	}
	for _, k := range p.Known {
		id, err := peer.Decode(k.ID)
		if err != nil {
			continue
		}
		var addrs []ma.Multiaddr
		for _, a := range k.Addrs {
			if m, err := ma.NewMultiaddr(a); err == nil {
				addrs = append(addrs, m)
			}
		}
		s.dial.PeerSeen(ctx, discovery.Sighting{ID: id, Addrs: addrs, Via: "peer"})
	}
}

func (h *handler) PeerConnected(id peer.ID) {
	s := h.svc()
	s.bus.publish(chat.PeerOnline{Peer: s.colleague(s.ctx, id)})
	s.spawn(func(ctx context.Context) { s.pushProfile(ctx, id) })
	s.out.kick(id)
	s.syncer.request(id, nil)
	s.spawn(func(ctx context.Context) { s.transfers.Resume(ctx, id) })
}

func (h *handler) PeerDisconnected(id peer.ID) {
	s := h.svc()
	s.bus.publish(chat.PeerOffline{Peer: s.colleague(s.ctx, id)})
}
