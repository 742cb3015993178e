package chat

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of what a user or a peer may say.
const (
	// MaxTextBytes is the longest message text (64 KiB).
	MaxTextBytes = 64 << 10
	// MaxNameRunes is the longest display name or room name.
	MaxNameRunes = 64
	// MaxStatusTextRunes is the longest status text.
	MaxStatusTextRunes = 200
	// MaxRoomIDBytes is the longest room id.
	MaxRoomIDBytes = 64
)

// CheckText validates a message text from a user or a peer.
func CheckText(s string) error {
	if len(s) > MaxTextBytes {
		return fmt.Errorf("message is %d bytes, the limit is %d bytes (64 KiB)", len(s), MaxTextBytes)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("message is not valid UTF-8 text")
	}
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("message is empty")
	}
	return nil
}

// CheckRoomName validates a room name from a user or a peer.
func CheckRoomName(name string) error {
	if !utf8.ValidString(name) {
		return fmt.Errorf("a room name must be UTF-8")
	}
	if n := utf8.RuneCountInString(name); n == 0 || n > MaxNameRunes {
		return fmt.Errorf("a room name has 1 to %d characters", MaxNameRunes)
	}
	if strings.ContainsFunc(name, isHiddenInName) || strings.HasPrefix(name, "#") {
		return fmt.Errorf("a room name cannot contain control or invisible characters or start with #")
	}
	return nil
}

// CheckProfileFields validates what a user or a peer says about itself:
// display name, status and status text.
func CheckProfileFields(name, status, text string) error {
	if !utf8.ValidString(name) || !utf8.ValidString(text) {
		return fmt.Errorf("name and status text must be UTF-8")
	}
	if n := utf8.RuneCountInString(name); n == 0 || n > MaxNameRunes {
		return fmt.Errorf("a name has 1 to %d characters", MaxNameRunes)
	}
	if strings.ContainsFunc(name, isControl) || strings.ContainsFunc(text, isControl) {
		return fmt.Errorf("name and status text cannot contain control characters")
	}
	if err := CheckDisplayName(name); err != nil {
		return err
	}
	if !ValidStatus(status) {
		return fmt.Errorf("status is available, away or busy, not %q", status)
	}
	if utf8.RuneCountInString(text) > MaxStatusTextRunes {
		return fmt.Errorf("a status text has at most %d characters", MaxStatusTextRunes)
	}
	return nil
}

// CheckDisplayName validates a display name from a user or a peer, as
// CheckProfileFields does, alone: 1 to MaxNameRunes runes of UTF-8 with
// no control, invisible or formatting characters.
func CheckDisplayName(name string) error {
	if !utf8.ValidString(name) {
		return fmt.Errorf("a name must be UTF-8")
	}
	if n := utf8.RuneCountInString(name); n == 0 || n > MaxNameRunes {
		return fmt.Errorf("a name has 1 to %d characters", MaxNameRunes)
	}
	if strings.ContainsFunc(name, isControl) {
		return fmt.Errorf("a name cannot contain control characters")
	}
	if strings.ContainsFunc(name, isHiddenInName) {
		return fmt.Errorf("a name cannot contain invisible or formatting characters (zero-width, bidi, variation selectors, tags)")
	}
	return nil
}

// isControl reports runes a name must not hold: control characters, and
// bidi overrides, which let a name display as something it is not.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
