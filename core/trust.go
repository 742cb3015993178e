package core

import (
	"context"

	"hallway/chat"
)

// Trusts describes every known colleague's trust, keyed by peer ID.
func (s *Service) Trusts(ctx context.Context) (map[string]chat.Trust, error) {
	return s.trust.Trusts(ctx)
}

// TrustOf describes one colleague: a peer ID, unique name or NAME#12345-67890.
func (s *Service) TrustOf(ctx context.Context, ref string) (chat.Trust, error) {
	return s.trust.TrustOf(ctx, ref)
}

// Verify records that the user compared the safety number with the
// colleague in person; verified=false takes that back.
func (s *Service) Verify(ctx context.Context, ref string, verified bool) (chat.Trust, error) {
	return s.trust.Verify(ctx, ref, verified)
}

// runTrustWatch raises a NameWarningRaised event the first time a
// colleague's name collides with another key's, as profiles arrive.
func (s *Service) runTrustWatch(ctx context.Context) error { return s.trust.RunWatch(ctx) }
