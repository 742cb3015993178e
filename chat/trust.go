package chat

import (
	"time"
)

// Trust is what this node knows about a colleague's identity beyond their
// key: whether the user verified them in person, the pair's safety number,
// the label they are filed under, and any warning about their name.
type Trust struct {
	PeerID       string    `json:"peer_id"`
	Name         string    `json:"name"`
	Fingerprint  string    `json:"fingerprint"`
	SafetyNumber string    `json:"safety_number"`
	Verified     bool      `json:"verified"`
	VerifiedAt   time.Time `json:"verified_at,omitzero"`
	// VerifiedName is the name the colleague had when verified; it
	// differs from Name when they renamed themselves since.
	VerifiedName string       `json:"verified_name,omitempty"`
	Label        string       `json:"label,omitempty"`
	Warning      *NameWarning `json:"warning,omitempty"`
}

// Kinds of name warning, loudest first.
const (
	// WarnImpersonation: a colleague uses the name of one the user
	// verified, with another key.
	WarnImpersonation = "impersonation"
	// WarnNameTaken: a colleague seen later uses the name of one known
	// before, with another key.
	WarnNameTaken = "name_taken"
)

// NameWarning says that a colleague's name is also another key's.
type NameWarning struct {
	PeerID  string `json:"peer_id"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Of      string `json:"of"` // the peer ID whose name is used
	Message string `json:"message"`
}

// Author is who wrote a message as this node shows them: the name their
// key is known by, whether the user verified that key, and any warning
// that the name is also another key's.
type Author struct {
	Name     string
	Verified bool
	Warning  *NameWarning
}

// SetAuthor shows m as written by a.
func (m *Message) SetAuthor(a Author) {
	m.FromName, m.FromVerified, m.FromWarning = a.Name, a.Verified, a.Warning
}

// SetAuthor shows h as written by a.
func (h *SearchHit) SetAuthor(a Author) {
	h.FromName, h.FromVerified, h.FromWarning = a.Name, a.Verified, a.Warning
}
