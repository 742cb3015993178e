package core

import (
	"context"

	"hallway/chat"
)

func roomConv(id string) string { return chat.RoomConv(id).String() }

// openRooms serves room sync and follows every joined room.
func (s *Service) openRooms(ctx context.Context) error {
	s.node.SetSyncServer(s.rooms.Syncer())
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

// RoomInviteCode is a code a colleague types to join the room.
func (s *Service) RoomInviteCode(_ context.Context, ref string) (string, error) {
	return s.rooms.InviteCode(ref)
}

// JoinRoomCode joins a room from an invite code.
func (s *Service) JoinRoomCode(ctx context.Context, code string) (chat.Room, error) {
	return s.rooms.JoinCode(ctx, code)
}
