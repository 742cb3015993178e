package chat

import (
	"crypto/rand"
	"encoding/hex"
)

// NewMessageID is a fresh id for a direct message or a file transfer:
// 32 hex digits of 128 random bits, so two senders never pick the same
// one. (A room message's id comes from its envelope: room, author and
// sequence number.)
func NewMessageID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
