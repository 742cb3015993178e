package chat

import "time"

// Directions of a file transfer.
const (
	TransferIn  = "in"
	TransferOut = "out"
)

// States of a file transfer, as stored and shown.
const (
	TransferOffered   = "offered"
	TransferActive    = "active"
	TransferPaused    = "paused"
	TransferDone      = "done"
	TransferFailed    = "failed"
	TransferDeclined  = "declined"
	TransferCancelled = "cancelled"
)

// ValidTransferState reports whether s is one of the transfer states.
func ValidTransferState(s string) bool {
	switch s {
	case TransferOffered, TransferActive, TransferPaused, TransferDone, TransferFailed,
		TransferDeclined, TransferCancelled:
		return true
	}
	return false
}

// Whether this computer serves a transfer's content to others, as shown
// in Transfer.Share; "" when it never does (a download not complete, a
// file sent to one colleague that was cancelled, ...).
const (
	ShareServing  = "serving"  // served to those allowed, until ExpiresAt if set
	ShareExpired  = "expired"  // ExpiresAt has passed
	ShareUnshared = "unshared" // the user withdrew it
	ShareChanged  = "changed"  // the file on disk no longer matches what was offered
)

// Transfer is a file or folder on its way, as the user sees it.
type Transfer struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	Folder       bool    `json:"folder"`
	Files        int     `json:"files"`
	Size         int64   `json:"size"`
	BytesDone    int64   `json:"bytes_done"`
	Rate         float64 `json:"rate"` // bytes per second, now
	State        string  `json:"state"`
	Peer         string  `json:"peer"`
	PeerName     string  `json:"peer_name"`
	Direction    string  `json:"direction"` // in or out
	Conversation string  `json:"conversation"`
	FinalPath    string  `json:"final_path,omitempty"`
	Error        string  `json:"error,omitempty"`
	Hash         string  `json:"hash"`
	// Relayed: the transfer moves through another colleague's Hallway,
	// because no direct path to the colleague works.
	Relayed bool `json:"relayed,omitempty"`
	// Share is whether this computer serves the content (ShareServing,
	// ShareExpired, ...), and ShareNote why it stopped.
	Share     string    `json:"share,omitempty"`
	ShareNote string    `json:"share_note,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"` // when the share ends; zero: no end
}
