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
	s.publishPeer(id, func(c chat.Colleague) chat.Event { return chat.PeerOnline{Peer: c} })
	s.spawn(func(ctx context.Context) { s.pushProfile(ctx, id) })
	s.dm.Kick(id)
	s.rooms.PeerConnected(id)
	s.spawn(func(ctx context.Context) { s.transfers.Resume(ctx, id) })
	s.enterByPass(id)
}

func (h *handler) PeerDisconnected(id peer.ID) {
	s := h.svc()
	s.publishPeer(id, func(c chat.Colleague) chat.Event { return chat.PeerOffline{Peer: c} })
}

// publishPeer publishes the event ev makes of colleague id as they are at
// that moment, under one lock, so that subscribers get the events about a
// colleague in the order of the states they show. Reading and publishing
// apart, a PeerOnline read just before the colleague's profile arrived
// could follow the PeerUpdated that brought the name, and a window would
// show the colleague nameless until their next change: in an office of
// dozens connecting at once, it did.
func (s *Service) publishPeer(id peer.ID, ev func(chat.Colleague) chat.Event) {
	ctx := s.ctx
	if ctx == nil { // still opening
		ctx = context.Background()
	}
	s.peerEvents.Lock()
	defer s.peerEvents.Unlock()
	s.bus.publish(ev(s.colleague(ctx, id)))
}
