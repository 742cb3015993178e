package core

import (
	"context"

	"hallway/chat"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// InviteToRoom hands a colleague a room through the end-to-end encrypted DM
// channel, so its key never travels anywhere else.
func (s *Service) InviteToRoom(ctx context.Context, roomRef, peerRef string) (chat.Message, error) {
	return s.rooms.Invite(ctx, roomRef, peerRef)
}

// acceptInvite joins the room a colleague invited us to; a bad or
// conflicting invitation is only logged.
func (s *Service) acceptInvite(ctx context.Context, from peer.ID, inv *p2p.RoomInvite) {
	s.rooms.AcceptInvite(ctx, from, inv)
}
