package chat

import (
	"time"
)

// SearchQuery asks for messages of every DM and room.
type SearchQuery struct {
	Text    string    // words or a substring; required
	From    string    // optional colleague reference (peer id, name, Name#12345-67890) — resolved like Send does
	In      string    // optional conversation: colleague reference, "#room" or room id
	Since   time.Time // zero = unbounded
	Until   time.Time // zero = unbounded
	HasFile bool      // only messages that carry a file offer
	// Mentions: only messages that mention you (Text may then be empty).
	Mentions bool
	Limit    int // 0 = default 50, capped at 500
}

// SearchHit is one message found.
type SearchHit struct {
	ID               string       `json:"id"`
	Conversation     string       `json:"conversation"`      // colleague peer id, or "#name" of the room
	ConversationID   string       `json:"conversation_id"`   // peer id or room id
	ConversationName string       `json:"conversation_name"` // colleague's display name or room name
	Room             bool         `json:"room"`
	From             string       `json:"from"`      // author peer id
	FromName         string       `json:"from_name"` // as Message.FromName
	FromVerified     bool         `json:"from_verified,omitempty"`
	FromWarning      *NameWarning `json:"from_warning,omitempty"`
	Time             time.Time    `json:"time"`
	Text             string       `json:"text"`
	Snippet          string       `json:"snippet"` // matches wrapped in « and »
}
