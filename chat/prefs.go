package chat

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
}

// Themes.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)
