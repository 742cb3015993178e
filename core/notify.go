package core

import (
	"context"
	"time"

	"hallway/chat"
)

// Notification levels per conversation and "do not disturb": kept in the
// preferences, so the window and the command line see the same.

// Mute sets the notification level of the conversation ref names (a
// colleague, "#room", or a conversation id) until until (zero: until
// changed); level all unmutes. It returns the mute in force.
func (s *Service) Mute(ctx context.Context, ref string, level chat.NotifyLevel, until time.Time) (chat.Mute, error) {
	if _, err := chat.ParseNotifyLevel(string(level)); err != nil {
		return chat.Mute{}, chat.UserErrorf("%v", err)
	}
	now := time.Now()
	if !until.IsZero() && !until.After(now) {
		return chat.Mute{}, chat.UserErrorf("the end of the mute has passed already")
	}
	conv, err := s.conversationOf(ctx, ref)
	if err != nil {
		return chat.Mute{}, err
	}
	m := chat.Mute{Conversation: conv, Level: level, Until: until}
	err = s.updatePrefs(ctx, func(p *chat.Prefs) { p.Mutes = p.WithMute(m, now) })
	if err != nil {
		return chat.Mute{}, err
	}
	if m.LevelAt(now) == chat.NotifyAll {
		m.Until = time.Time{}
	}
	return m, nil
}

// DoNotDisturb silences every notification until until (zero: ends it).
func (s *Service) DoNotDisturb(ctx context.Context, until time.Time) error {
	return s.updatePrefs(ctx, func(p *chat.Prefs) { p.DoNotDisturbUntil = until })
}

// updatePrefs changes the saved preferences with change, one change at a
// time.
func (s *Service) updatePrefs(ctx context.Context, change func(*chat.Prefs)) error {
	s.prefsMu.Lock()
	defer s.prefsMu.Unlock()
	p, err := s.Prefs(ctx)
	if err != nil {
		return err
	}
	change(&p)
	return s.SetPrefs(ctx, p)
}

// conversationOf is the conversation id a user's reference names: a
// conversation id as is, "#room" or a room id, else a colleague.
func (s *Service) conversationOf(ctx context.Context, ref string) (string, error) {
	if c, err := chat.ParseConv(ref); err == nil {
		return c.String(), nil
	}
	if j, err := s.rooms.Joined().Resolve(ref); err == nil {
		return chat.RoomConv(j.ID()).String(), nil
	} else if isRoomRef(ref) {
		return "", err
	}
	pid, err := s.Resolve(ctx, ref)
	if err != nil {
		return "", err
	}
	return dmConv(pid), nil
}

// UnreadMentions counts, per conversation, the unread messages that
// mention the user.
func (s *Service) UnreadMentions(ctx context.Context) (map[string]int, error) {
	return s.store.UnreadMentions(ctx, s.node.ID().String())
}
