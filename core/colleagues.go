package core

import (
	"context"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/peer"
)

// colleague describes one peer, known or just connected.
func (s *Service) colleague(ctx context.Context, id peer.ID) chat.Colleague {
	return s.colleagues.Colleague(ctx, id)
}

// Peers lists every colleague this node has met, and those connected
// whose profile has not arrived yet.
func (s *Service) Peers(ctx context.Context) ([]chat.Colleague, error) {
	return s.colleagues.Peers(ctx)
}

// Resolve finds the colleague a user means: a peer ID, a unique display
// name (any case), or "name#12345-67890" with the first fingerprint groups.
func (s *Service) Resolve(ctx context.Context, ref string) (peer.ID, error) {
	return s.colleagues.Resolve(ctx, ref)
}
