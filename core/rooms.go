package core

import (
	"context"
	"time"

	"hallway/chat"
	"hallway/core/rooms"
)

func roomConv(id string) string { return chat.RoomConv(id).String() }

// openRooms serves room sync and follows every joined room.
func (s *Service) openRooms(ctx context.Context) error {
	s.node.SetSyncServer(s.rooms.Syncer())
	s.node.SetRedeemServer(s.rooms)
	s.node.SetEnterServer(s.rooms)
	s.node.SetMeshHook(s.rooms.PeerMeshed)
	return s.rooms.Open(ctx)
}

// CreateRoom makes a new room with a fresh key; the creator is its first
// member.
func (s *Service) CreateRoom(ctx context.Context, name string) (chat.Room, error) {
	return s.rooms.Create(ctx, name)
}

// Rooms lists the rooms this node is in, #general first.
func (s *Service) Rooms(ctx context.Context) ([]chat.Room, error) { return s.rooms.List(ctx) }

// RoomMembers lists a room's members with their presence.
func (s *Service) RoomMembers(ctx context.Context, ref string) ([]chat.RoomMember, error) {
	return s.rooms.Members(ctx, ref)
}

// LeaveRoom tells the members, stops following the room and keeps its
// history.
func (s *Service) LeaveRoom(ctx context.Context, ref string) error { return s.rooms.Leave(ctx, ref) }

// RoomInviteCode issues a code a colleague types to join the room, with
// the default expiry and any number of uses.
func (s *Service) RoomInviteCode(ctx context.Context, ref string) (string, error) {
	c, err := s.rooms.IssueCode(ctx, ref, rooms.CodeOptions{})
	return c.Code, err
}

// IssueRoomCode issues a code for the room that works for expires (0: the
// default, 24 hours) and lets uses colleagues in (0: any number).
func (s *Service) IssueRoomCode(ctx context.Context, ref string, expires time.Duration, uses int) (chat.RoomCode, error) {
	return s.rooms.IssueCode(ctx, ref, rooms.CodeOptions{Expires: expires, Uses: uses})
}

// RevokeRoomCode withdraws a code of the room, or every code with code "".
func (s *Service) RevokeRoomCode(ctx context.Context, ref, code string) error {
	return s.rooms.RevokeCode(ctx, ref, code)
}

// JoinRoomCode joins a room from an invite code.
func (s *Service) JoinRoomCode(ctx context.Context, code string) (chat.Room, error) {
	return s.rooms.JoinCode(ctx, code)
}
