package chat

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
}
