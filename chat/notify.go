package chat

import (
	"fmt"
	"time"
)

// NotifyLevel is how much of a conversation notifies the user.
type NotifyLevel string

// The notification levels of a conversation.
const (
	NotifyAll      NotifyLevel = "all"      // every message (the default)
	NotifyMentions NotifyLevel = "mentions" // only messages that mention you (a muted conversation)
	NotifyNone     NotifyLevel = "none"     // nothing at all
)

// ParseNotifyLevel reads a level a user or a file gives.
func ParseNotifyLevel(s string) (NotifyLevel, error) {
	switch l := NotifyLevel(s); l {
	case NotifyAll, NotifyMentions, NotifyNone:
		return l, nil
	}
	return "", fmt.Errorf("a notification level is all, mentions or none, not %q", truncate(s))
}

// Mute is a conversation's notification level, until a time or (Until
// zero) until changed. Unread counts count whatever the level.
type Mute struct {
	Conversation string      `json:"conversation"` // "dm:…" or "room:…"
	Level        NotifyLevel `json:"level"`
	Until        time.Time   `json:"until,omitzero"`
}

// LevelAt is the level in force at now: the mute's, or all once it ran out.
func (m Mute) LevelAt(now time.Time) NotifyLevel {
	if m.Level == "" || (!m.Until.IsZero() && !now.Before(m.Until)) {
		return NotifyAll
	}
	return m.Level
}

// Notifies decides whether a new message m notifies the user self, given
// the level of its conversation at now and the global "do not disturb"
// (until dnd). Only colleagues' chat messages, replies and files notify;
// a mention of self notifies even in a muted conversation, but not under
// level none or do not disturb. mention says whether m mentions self.
func Notifies(m Message, self string, level NotifyLevel, dnd, now time.Time) (notify, mention bool) {
	switch Kind(m.Kind) {
	case KindText, KindReply, KindFile, "":
	default:
		return false, false
	}
	if m.Outgoing || m.From == self {
		return false, false
	}
	mention = contains(m.Mentions, self)
	if now.Before(dnd) {
		return false, mention
	}
	switch level {
	case NotifyNone:
		return false, mention
	case NotifyMentions:
		return mention, mention
	}
	return true, mention
}

// TomorrowMorning is when "until tomorrow" ends: 8:00 on the day after
// now, in now's time zone.
func TomorrowMorning(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d+1, 8, 0, 0, 0, now.Location())
}
