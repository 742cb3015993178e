package chat

import "time"

// Prefs are the user's settings that are not part of the profile: what the
// window shows and how files are handled. They live in history's settings,
// so they follow the data folder.
type Prefs struct {
	// Notifications shows desktop notifications for new messages.
	Notifications bool `json:"notifications"`
	// Theme is "system" (follow the desktop), "light" or "dark".
	Theme string `json:"theme"`
	// LastConversation is the conversation shown last ("dm:…", "room:…").
	LastConversation string `json:"last_conversation,omitempty"`
	// SetupDone: the first-run screen was completed.
	SetupDone bool `json:"setup_done"`
	// File policy as the window sets it; empty or zero: the defaults.
	Downloads     string `json:"downloads,omitempty"`
	AutoAcceptMax int64  `json:"auto_accept_max,omitempty"`
	MaxFileSize   int64  `json:"max_file_size,omitempty"`
	NoFiles       bool   `json:"no_files,omitempty"`
	BlockExt      string `json:"block_ext,omitempty"`
	// ShareDays is how many days a file offered in a room (or downloaded
	// from one) is served to its members; 0: the default, 30.
	ShareDays int `json:"share_days,omitempty"`
	// NoReadReceipts: the receipts this node shares with its rooms say
	// what it holds but not how far the user has read.
	NoReadReceipts bool `json:"no_read_receipts,omitempty"`
	// Mutes are the conversations whose notification level is not all
	// (see notify.go); DoNotDisturbUntil silences every notification
	// until then.
	Mutes             []Mute    `json:"mutes,omitempty"`
	DoNotDisturbUntil time.Time `json:"dnd_until,omitzero"`
	// RecentEmoji are the reactions chosen last, latest first.
	RecentEmoji []string `json:"recent_emoji,omitempty"`
}

// MaxMutes and MaxRecentEmoji bound what the preferences keep.
const (
	MaxMutes       = 1000
	MaxRecentEmoji = 16
)

// MuteOf is the mute of conv, the zero Mute (level all) if none.
func (p Prefs) MuteOf(conv string) Mute {
	for _, m := range p.Mutes {
		if m.Conversation == conv {
			return m
		}
	}
	return Mute{Conversation: conv, Level: NotifyAll}
}

// WithMute returns p's mutes with m in place of conv's: a level of all
// with no end removes it, as do mutes that ran out by now.
func (p Prefs) WithMute(m Mute, now time.Time) []Mute {
	var out []Mute
	for _, old := range p.Mutes {
		if old.Conversation != m.Conversation && old.LevelAt(now) != NotifyAll {
			out = append(out, old)
		}
	}
	if m.LevelAt(now) != NotifyAll {
		out = append(out, m)
	}
	return out
}

// WithRecentEmoji returns the recent reactions with e first.
func (p Prefs) WithRecentEmoji(e string) []string {
	out := []string{e}
	for _, old := range p.RecentEmoji {
		if old != e && len(out) < MaxRecentEmoji {
			out = append(out, old)
		}
	}
	return out
}

// Themes.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)
