package chat

// Presence statuses. A profile carries one of the first three; a colleague
// without a live connection shows StatusOffline.
const (
	StatusAvailable = "available"
	StatusAway      = "away"
	StatusBusy      = "busy"
	StatusOffline   = "offline"
)

// ValidStatus reports whether s is a status a profile may carry.
func ValidStatus(s string) bool {
	return s == StatusAvailable || s == StatusAway || s == StatusBusy
}

// States of a message from this node's point of view.
const (
	StateSent      = "sent"      // committed locally, waiting in the outbox
	StateDelivered = "delivered" // the recipient committed it and acknowledged
	StateReceived  = "received"  // an incoming message
)
