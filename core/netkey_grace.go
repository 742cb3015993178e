package core

import (
	"context"
	"fmt"
	"sync"
	"time"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// A member away during a rotation comes back on the old network key: our
// dials to it fail as if it were in another workspace, and its dials to us
// likewise. For networkGrace after the rotation, each such failed dial to
// a member of our log has us dial it again from a short-lived host on each
// old key still in grace, and hand it the new one (p2p.ProtoNetKey). The
// member checks the rotating admin's signature against its own log, moves
// to the key and restarts; a revoked colleague is no member and is handed
// nothing, and its own node refuses our dial anyway.

// handoverEvery spaces the handovers tried to one member.
const handoverEvery = 30 * time.Second

// maxHandoverPeers bounds the members whose last handover is remembered.
const maxHandoverPeers = 1024

// handovers remembers when a handover to each member was last tried.
type handovers struct {
	mu   sync.Mutex
	last map[peer.ID]time.Time
}

// due reports whether a handover to id may start at now, and notes it.
func (h *handovers) due(id peer.ID, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t, ok := h.last[id]; ok && now.Sub(t) < handoverEvery {
		return false
	}
	if h.last == nil || len(h.last) >= maxHandoverPeers {
		h.last = map[peer.ID]time.Time{}
	}
	h.last[id] = now
	return true
}

// otherKey is told by the dialer of a peer that answered on another key.
func (s *Service) otherKey(id peer.ID, addrs []ma.Multiaddr) {
	if s.ws == nil || s.rooms == nil || len(addrs) == 0 || s.admission(id) != p2p.Admitted {
		return
	}
	s.netMu.Lock()
	old := s.net.inGrace(s.now())
	s.netMu.Unlock()
	if len(old) == 0 || !s.handovers.due(id, s.now()) {
		return
	}
	h, ok := s.rooms.NetworkHandover()
	if !ok {
		return
	}
	s.spawn(func(ctx context.Context) {
		to := peer.AddrInfo{ID: id, Addrs: addrs}
		var err error
		for _, p := range old {
			if err = p2p.HandOverNetKey(ctx, s.key, p.Key[:], to, h); err == nil {
				s.log.Info("handed the new network key to a member who was away", "peer", id)
				return
			}
		}
		s.log.Debug("hand the new network key over", "peer", id, "err", err)
	})
}

// NetKeyHandedOver takes a new network key a colleague hands us: we were
// away when an admin rotated it.
func (s *Service) NetKeyHandedOver(ctx context.Context, from peer.ID, h p2p.NetKeyHandover) error {
	if s.ws == nil || s.rooms == nil {
		return fmt.Errorf("not in a private workspace")
	}
	if h.Epoch <= s.networkKey().Epoch {
		return fmt.Errorf("network key %d is not newer than ours", h.Epoch)
	}
	k, err := s.rooms.TakeHandedNetworkKey(ctx, from, h)
	if err != nil {
		s.log.Warn("network key handover refused", "from", from, "err", err)
		return err
	}
	return s.moveNetworkKey(k)
}
