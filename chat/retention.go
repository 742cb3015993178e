package chat

import (
	"time"
)

// SweepResult is what one application of the policies deleted.
type SweepResult struct {
	At        time.Time `json:"at"`
	Messages  int       `json:"messages"`
	Transfers int       `json:"transfers"`
	// Held lists the conversations where a legal hold kept messages due.
	Held []string `json:"held,omitempty"`
}
