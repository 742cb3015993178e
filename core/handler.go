package core

import (
	"context"

	"hallway/chat"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// handler is the Service as the p2p layer sees it; keeping these methods on
// a separate type keeps them out of the Service's public API.
type handler Service

var _ p2p.Handler = (*handler)(nil)

func (h *handler) svc() *Service { return (*Service)(h) }

func (h *handler) HandleDM(ctx context.Context, from peer.ID, m p2p.DM) error {
	return h.svc().dm.Receive(ctx, from, m)
}

func (h *handler) HandleProfile(ctx context.Context, from peer.ID, p p2p.Profile) {
	if h.svc().blocks.IsBlocked(from) {
		return // on its way when the block came; neither kept nor shown
	}
	h.svc().presence.Receive(ctx, from, p)
}

func (h *handler) PeerConnected(id peer.ID) {
	s := h.svc()
	s.bus.publish(chat.PeerOnline{Peer: s.colleague(s.ctx, id)})
	s.spawn(func(ctx context.Context) { s.pushProfile(ctx, id) })
	s.dm.Kick(id)
	s.rooms.PeerConnected(id)
	s.spawn(func(ctx context.Context) { s.transfers.Resume(ctx, id) })
	s.enterByPass(id)
}

func (h *handler) PeerDisconnected(id peer.ID) {
	s := h.svc()
	s.bus.publish(chat.PeerOffline{Peer: s.colleague(s.ctx, id)})
}
