package chat

import (
	"encoding/hex"
	"testing"
)

func TestNewMessageIDIsFreshAndHex(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		id := NewMessageID()
		if b, err := hex.DecodeString(id); err != nil || len(b) != 16 {
			t.Fatalf("id %q: want 32 hex digits", id)
		}
		if seen[id] {
			t.Fatalf("id %q made twice", id)
		}
		seen[id] = true
	}
}
