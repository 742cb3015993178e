package chat

import "time"

// Block is a colleague the user blocked: their connections are refused,
// and their direct messages, room posts and file offers are neither kept
// nor shown, until the user unblocks them.
type Block struct {
	PeerID      string    `json:"peer_id"`
	Name        string    `json:"name,omitempty"` // what they were called when blocked
	Fingerprint string    `json:"fingerprint"`
	Reason      string    `json:"reason,omitempty"`
	At          time.Time `json:"blocked_at"`
}

// MaxBlockReason caps the note a user keeps with a block, in bytes.
const MaxBlockReason = 1024
