package dm

import (
	"context"
	"log/slog"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Service sends, receives and delivers direct messages.
type Service struct {
	log  *slog.Logger
	deps Deps
	out  *outbox
}

// New returns the direct messages over deps; delivery starts with Run and
// with the first Kick.
func New(cfg Config, deps Deps) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Blocks == nil {
		deps.Blocks = noBlocks{}
	}
	return &Service{
		log:  cfg.Logger,
		deps: deps,
		out:  newOutbox(deps.Store, deps.Net, deps.Publisher, deps.Spawner, deps.Messages, cfg.Logger),
	}
}

// Run retries queued messages to connected colleagues until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.out.run(ctx) }

// Kick asks for the messages queued for id to be delivered now, or right
// after a delivery to id that is under way.
func (s *Service) Kick(id peer.ID) { s.out.kick(id) }

// conv is the conversation with a colleague.
func conv(id peer.ID) string { return chat.DMConv(id.String()).String() }
