package crypto

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"hallway/chat"
)

// A room invite carries everything a colleague needs to join a room before
// any peer of it is reachable: its id, its name and its key. It is written
// like a workspace invite (see invite.go) so people handle both the same
// way. The payload, before Crockford base32, is
//
//	version (1) || len(id) (1) || id || len(name) (1) || name || key (32) || checksum (4)
//
// with the checksum the first 4 bytes of SHA-256 of a domain string and
// everything before it.
const (
	roomInviteVersion     = 1
	roomInvitePrefix      = "HWR1"
	roomInviteDomain      = "hallway-room-invite"
	roomInviteChecksumLen = 4
	// MaxRoomInviteName caps the room name inside an invite, to keep the
	// code short enough to paste into any chat.
	MaxRoomInviteName = 64
	// maxRoomInviteInput is well above the 330 characters of the longest
	// code, with room for spacing and line breaks.
	maxRoomInviteInput = 1 << 10

	roomInviteMinPayload = 1 + 1 + 1 + 1 + len(RoomKey{}) + roomInviteChecksumLen
	roomInviteMaxPayload = roomInviteMinPayload - 1 + maxRoomIDLen + MaxRoomInviteName
)

// RoomInviteCode encodes a room for a person to pass on, for example
// "HWR1-04...". A name longer than MaxRoomInviteName bytes is cut at a
// character boundary and invalid UTF-8 in it is replaced, since the name
// is only a label. It returns "" when id is not a random room id
// (chat.CheckInvitedRoomID), because nobody could join by such a code: a
// #general is never handed out.
func RoomInviteCode(id, name string, key RoomKey) string {
	if chat.CheckInvitedRoomID(id) != nil {
		return ""
	}
	return encodeRoomInvite(id, name, key)
}

// encodeRoomInvite writes the code of any room id shaped for the wire.
func encodeRoomInvite(id, name string, key RoomKey) string {
	name = truncateUTF8(strings.ToValidUTF8(name, "\uFFFD"), MaxRoomInviteName)
	payload := make([]byte, 0, roomInviteMinPayload+len(id)+len(name))
	payload = append(payload, roomInviteVersion, byte(len(id)))
	payload = append(payload, id...)
	payload = append(payload, byte(len(name)))
	payload = append(payload, name...)
	payload = append(payload, key[:]...)
	payload = append(payload, roomInviteChecksum(payload)...)
	return formatInvite(roomInvitePrefix, payload)
}

// ParseRoomInviteCode decodes a room invite as typed or pasted by a
// person, as forgivingly as ParseInviteCode. Error messages never repeat
// the code, which holds the room key. A code whose room id is not a random
// one (chat.CheckInvitedRoomID) is refused: nobody can hand out a
// #general, or a room id that reads like a name.
func ParseRoomInviteCode(s string) (id, name string, key RoomKey, err error) {
	id, name, key, err = parseRoomInvite(s)
	if err == nil && chat.CheckInvitedRoomID(id) != nil {
		err = fmt.Errorf("the room id in the code is %w", chat.ErrBadRoomID)
	}
	if err != nil {
		return "", "", RoomKey{}, fmt.Errorf("parse room invite code: %w", err)
	}
	return id, name, key, nil
}

func parseRoomInvite(s string) (id, name string, key RoomKey, err error) {
	symbols, err := readInviteSymbols(s, maxRoomInviteInput)
	if err != nil {
		return "", "", RoomKey{}, err
	}
	if !strings.HasPrefix(string(symbols), roomInvitePrefix) {
		if strings.HasPrefix(string(symbols), invitePrefix) {
			return "", "", RoomKey{}, errors.New("this is a workspace invite code, not a room invite")
		}
		return "", "", RoomKey{}, fmt.Errorf("it must start with %q", roomInvitePrefix+"-")
	}
	body := symbols[len(roomInvitePrefix):]
	if len(body) < crockfordLen(roomInviteMinPayload) || len(body) > crockfordLen(roomInviteMaxPayload) {
		return "", "", RoomKey{}, fmt.Errorf("it has %d characters after %q, want %d to %d; part of it is missing or extra",
			len(body), roomInvitePrefix+"-", crockfordLen(roomInviteMinPayload), crockfordLen(roomInviteMaxPayload))
	}
	payload, err := decodeCrockford(body)
	// Some symbol counts are never produced by the encoder: their last
	// symbol would be pure fill. Such a code lost or gained a character.
	if err == nil && crockfordLen(len(payload)) != len(body) {
		err = errors.New("the invite code has a typo")
	}
	if err != nil {
		return "", "", RoomKey{}, err
	}
	content, sum := payload[:len(payload)-roomInviteChecksumLen], payload[len(payload)-roomInviteChecksumLen:]
	if subtle.ConstantTimeCompare(sum, roomInviteChecksum(content)) != 1 {
		return "", "", RoomKey{}, errors.New("the invite code has a typo")
	}
	r := wireReader{b: content}
	if version, _ := r.u8("version"); version != roomInviteVersion {
		return "", "", RoomKey{}, fmt.Errorf("version %d is not supported by this Hallway; it may need an update", version)
	}
	idBytes, err := roomInviteField(&r, 1, maxRoomIDLen, "room id")
	if err != nil {
		return "", "", RoomKey{}, err
	}
	if id = string(idBytes); !chat.RoomIDShape(id) {
		return "", "", RoomKey{}, errors.New("the room id in the code is invalid")
	}
	nameBytes, err := roomInviteField(&r, 0, MaxRoomInviteName, "room name")
	if err != nil {
		return "", "", RoomKey{}, err
	}
	if name = string(nameBytes); !utf8.ValidString(name) {
		return "", "", RoomKey{}, errors.New("the room name in the code is not valid UTF-8")
	}
	keyBytes, err := r.fixed(len(key), "room key")
	if err != nil {
		return "", "", RoomKey{}, err
	}
	copy(key[:], keyBytes)
	if !r.empty() {
		return "", "", RoomKey{}, fmt.Errorf("%d unexpected bytes after the room key", len(r.b))
	}
	return id, name, key, nil
}

// roomInviteField reads a field with a one-byte length; the checksum has
// already passed, so a bad length means a buggy encoder, not a typo.
func roomInviteField(r *wireReader, minLen, maxLen int, what string) ([]byte, error) {
	n, err := r.u8(what)
	if err != nil {
		return nil, err
	}
	if int(n) < minLen || int(n) > maxLen {
		return nil, fmt.Errorf("%s: length %d is outside %d..%d", what, n, minLen, maxLen)
	}
	return r.fixed(int(n), what)
}

func roomInviteChecksum(content []byte) []byte {
	h := sha256.New()
	h.Write([]byte(roomInviteDomain))
	h.Write(content)
	return h.Sum(nil)[:roomInviteChecksumLen]
}

// crockfordLen is the number of symbols encodeCrockford makes of n bytes.
func crockfordLen(n int) int {
	return (n*8 + 4) / 5
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
