package core

import (
	"context"
	"errors"

	"hallway/chat"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Block blocks a colleague (a peer ID, a unique name or NAME#12345-67890):
// their connections are closed and refused from now on, also after a
// restart, and nothing they send (direct messages, room posts, file
// offers, profiles) is kept or shown. reason is the user's own note.
func (s *Service) Block(ctx context.Context, ref, reason string) (chat.Block, error) {
	id, err := s.Resolve(ctx, ref)
	if err != nil {
		return chat.Block{}, err
	}
	return s.blocks.Block(ctx, id, reason)
}

// Unblock lets a blocked colleague connect again.
func (s *Service) Unblock(ctx context.Context, ref string) (chat.Block, error) {
	id, err := s.Resolve(ctx, ref)
	if err != nil {
		return chat.Block{}, err
	}
	return s.blocks.Unblock(ctx, id)
}

// Blocked lists the blocked colleagues, oldest block first.
func (s *Service) Blocked(ctx context.Context) ([]chat.Block, error) {
	return s.blocks.List(ctx)
}

// refuseBlocked fails when ref is a colleague the user blocked: nothing is
// sent to them until they are unblocked. Rooms and unknown names pass
// (their own checks follow).
func (s *Service) refuseBlocked(ctx context.Context, ref string) error {
	if isRoomRef(ref) {
		return nil
	}
	if id, err := s.Resolve(ctx, ref); err == nil && s.blocks.IsBlocked(id) {
		return chat.UserErrorf("you blocked %s; unblock them to write to them", s.colleague(ctx, id).Name)
	}
	return nil
}

// blockedFiles serves files to everyone the transfer feature allows,
// except a blocked colleague.
type blockedFiles struct {
	p2p.FileServer
	blocks interface{ IsBlocked(peer.ID) bool }
}

var errBlockedPeer = errors.New("not available")

func (b blockedFiles) OpenFile(ctx context.Context, from peer.ID, req p2p.FileRequest) (p2p.FileSource, error) {
	if b.blocks.IsBlocked(from) {
		return nil, errBlockedPeer
	}
	return b.FileServer.OpenFile(ctx, from, req)
}
