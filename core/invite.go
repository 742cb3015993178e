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

// RemoveFromRoom removes a member from a room; owners and admins may.
func (s *Service) RemoveFromRoom(ctx context.Context, roomRef, peerRef string) error {
	return s.rooms.Remove(ctx, roomRef, peerRef)
}

// SetRoomRole makes a member of a room an admin or a member again; the
// owner may.
func (s *Service) SetRoomRole(ctx context.Context, roomRef, peerRef, role string) error {
	return s.rooms.SetRole(ctx, roomRef, peerRef, role)
}

// RoomInvitations lists the invitations waiting for the user's consent.
func (s *Service) RoomInvitations(ctx context.Context) ([]chat.RoomInvitation, error) {
	return s.rooms.Invitations(ctx)
}

// AcceptRoomInvitation joins the room of a pending invitation.
func (s *Service) AcceptRoomInvitation(ctx context.Context, id string) (chat.Room, error) {
	return s.rooms.AcceptInvitation(ctx, id)
}

// DeclineRoomInvitation drops a pending invitation and its room key.
func (s *Service) DeclineRoomInvitation(ctx context.Context, id string) error {
	return s.rooms.DeclineInvitation(ctx, id)
}

// inviteReceived keeps a colleague's invitation pending until the user
// accepts or declines it; a bad, conflicting or excess one is only logged.
func (s *Service) inviteReceived(ctx context.Context, from peer.ID, inv *p2p.RoomInvite) {
	s.rooms.InviteReceived(ctx, from, inv)
}
