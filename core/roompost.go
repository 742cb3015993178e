package core

import (
	"context"

	"hallway/chat"
	"hallway/storage"
)

// SendRoom posts a text message to a room.
func (s *Service) SendRoom(ctx context.Context, ref, text string) (chat.Message, error) {
	if j, err := s.rooms.Joined().Resolve(ref); err == nil {
		text = s.withMentions(ctx, chat.RoomConv(j.ID()).String(), text)
	}
	return s.rooms.Send(ctx, ref, text)
}

// RoomHistory returns up to limit messages of a room in the order every
// member sees, oldest first, ending before cursor (nil: the newest). Reading
// the newest page marks the room read.
func (s *Service) RoomHistory(ctx context.Context, ref string, before *storage.Cursor, limit int) ([]chat.Message, error) {
	return s.folded(ctx)(s.rooms.History(ctx, ref, before, limit))
}
