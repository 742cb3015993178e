package transfer

import (
	"context"
	"fmt"

	"hallway/chat"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// toTransfer is a stored transfer as the user sees it, with the progress
// of a running download.
func (s *Service) toTransfer(ctx context.Context, t storage.Transfer) chat.Transfer {
	out := chat.Transfer{
		ID: t.ID, Name: t.Name, Folder: t.Folder, Files: t.Files, Size: t.Size, BytesDone: t.BytesDone,
		State: t.State, Peer: t.Peer, Direction: t.Direction, Conversation: t.Conv, Error: t.Error, Hash: t.ManifestHash,
	}
	if t.FinalPath != "" {
		out.FinalPath = t.FinalPath
	}
	out.Share, out.ShareNote, out.ExpiresAt = s.shareOf(t)
	if t.Direction == storage.TransferIn && t.State != storage.TransferDone {
		out.ExpiresAt = t.ExpiresAt // when the offer ends
	}
	if done, rate, ok := s.progress.get(t.ID); ok {
		out.BytesDone, out.Rate = max(done, out.BytesDone), rate
	}
	_, out.Relayed = s.relayed.Load(t.ID)
	if id, err := peer.Decode(t.Peer); err == nil && t.State == storage.TransferActive && s.net.Via(id) == p2p.ViaRelay {
		out.Relayed = true
	}
	if id, err := peer.Decode(t.Peer); err == nil && id != s.net.ID() {
		out.PeerName = s.peers.PeerName(ctx, id)
	}
	return out
}

// List lists transfers, newest first.
func (s *Service) List(ctx context.Context) ([]chat.Transfer, error) {
	rows, err := s.store.Transfers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	out := make([]chat.Transfer, 0, len(rows))
	for _, t := range rows {
		out = append(out, s.toTransfer(ctx, t))
	}
	return out, nil
}

// publish announces the transfer as it is now.
func (s *Service) publish(ctx context.Context, id string) {
	if t, err := s.store.Transfer(ctx, id); err == nil {
		s.bus.Publish(chat.TransferChanged{Transfer: s.toTransfer(ctx, t)})
	}
}

// setState records a new state and why, and announces it.
func (s *Service) setState(ctx context.Context, id, state, reason string) error {
	if err := s.store.UpdateTransfer(ctx, id, storage.TransferUpdate{State: &state, Error: &reason}); err != nil {
		return fmt.Errorf("update transfer: %w", err)
	}
	s.publish(ctx, id)
	return nil
}
