package crypto

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"hallway/chat"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// A room code lets a colleague who is not connected yet ask a member's node
// for a room. It does not carry the room key: it names the room, the member
// that issued it (the node to ask first) and a random token that the
// members' nodes accept until it expires, is used up or is revoked (see
// codebody.go for the records they keep of it). It is written like a
// workspace invite (see invite.go): Crockford base32 after a prefix, in
// groups of five. The payload, before base32, is
//
//	version (1) = 2 || room id (16, the id's base32 decoded) ||
//	issuer's Ed25519 public key (32) || token (16) || checksum (4)
//
// with the checksum the first 4 bytes of SHA-256 of a domain string and
// everything before it: 69 bytes, 111 symbols.
//
// Codes of the first format ("HWR1-…") carried the room key itself, a
// secret that never expired; they are refused with a word on what to do.
const (
	roomCodeVersion     = 2
	roomCodePrefix      = "HWR2"
	oldRoomCodePrefix   = "HWR1"
	roomCodeDomain      = "hallway-room-code"
	roomCodeChecksumLen = 4
	// CodeTokenBytes is the size of a code's random token: 128 bits.
	CodeTokenBytes   = 16
	roomCodeIDBytes  = roomIDRandomBytes
	roomCodeKeyBytes = 32
	roomCodePayload  = 1 + roomCodeIDBytes + roomCodeKeyBytes + CodeTokenBytes + roomCodeChecksumLen
	// maxRoomCodeInput is well above the 138 characters of a code, with
	// room for spacing and line breaks.
	maxRoomCodeInput = 1 << 10
)

// ErrOldRoomCode is a code of the first format, which carried the room key.
var ErrOldRoomCode = errors.New("this is an old room code, which Hallway no longer accepts; ask a member of the room for a new code")

// CodeToken is the secret part of a room code.
type CodeToken [CodeTokenBytes]byte

// NewCodeToken draws a fresh token.
func NewCodeToken() (CodeToken, error) {
	var t CodeToken
	if _, err := rand.Read(t[:]); err != nil {
		return CodeToken{}, fmt.Errorf("new code token: %w", err)
	}
	return t, nil
}

// RoomCode is what a room code says.
type RoomCode struct {
	Room   string  // the room's id, as crypto.NewRoomID makes them
	Issuer peer.ID // the member whose node issued it: the one to ask first
	Token  CodeToken
}

// Hash is the token's hash as members record it: bound to the room, so a
// token is worth nothing for any other room.
func (c RoomCode) Hash() CodeHash { return HashCodeToken(c.Room, c.Token) }

// Encode writes the code for a person to pass on, for example
// "HWR2-0G4T…". It fails for a room id a node does not make
// (chat.CheckInvitedRoomID: a #general is never handed out) and an issuer
// whose key is not Ed25519.
func (c RoomCode) Encode() (string, error) {
	if err := chat.CheckInvitedRoomID(c.Room); err != nil {
		return "", fmt.Errorf("room code: %w", err)
	}
	id, err := decodeCrockford([]byte(strings.ToUpper(c.Room)))
	if err != nil || len(id) != roomCodeIDBytes {
		return "", fmt.Errorf("room code: room id %q does not decode", c.Room)
	}
	pub, err := c.Issuer.ExtractPublicKey()
	if err != nil || pub.Type() != ic.Ed25519 {
		return "", errors.New("room code: the issuer's key is not Ed25519")
	}
	raw, err := pub.Raw()
	if err != nil || len(raw) != roomCodeKeyBytes {
		return "", errors.New("room code: the issuer's key does not encode")
	}
	payload := make([]byte, 0, roomCodePayload)
	payload = append(payload, roomCodeVersion)
	payload = append(payload, id...)
	payload = append(payload, raw...)
	payload = append(payload, c.Token[:]...)
	payload = append(payload, roomCodeChecksum(payload)...)
	return formatInvite(roomCodePrefix, payload), nil
}

// ParseRoomCode decodes a room code as typed or pasted by a person, as
// forgivingly as ParseInviteCode. Error messages never repeat the code. A
// code of the first format gives ErrOldRoomCode.
func ParseRoomCode(s string) (RoomCode, error) {
	c, err := parseRoomCode(s)
	if err != nil {
		return RoomCode{}, fmt.Errorf("parse room code: %w", err)
	}
	return c, nil
}

func parseRoomCode(s string) (RoomCode, error) {
	symbols, err := readInviteSymbols(s, maxRoomCodeInput)
	if err != nil {
		return RoomCode{}, err
	}
	switch text := string(symbols); {
	case strings.HasPrefix(text, oldRoomCodePrefix):
		return RoomCode{}, ErrOldRoomCode
	case strings.HasPrefix(text, invitePrefix) && !strings.HasPrefix(text, "HWR"):
		return RoomCode{}, errors.New("this is a workspace invite code, not a room code")
	case !strings.HasPrefix(text, roomCodePrefix):
		return RoomCode{}, fmt.Errorf("it must start with %q", roomCodePrefix+"-")
	}
	body := symbols[len(roomCodePrefix):]
	if want := crockfordLen(roomCodePayload); len(body) != want {
		return RoomCode{}, fmt.Errorf("it has %d characters after %q, want %d; part of it is missing or extra",
			len(body), roomCodePrefix+"-", want)
	}
	payload, err := decodeCrockford(body)
	if err != nil {
		return RoomCode{}, err
	}
	content, sum := payload[:len(payload)-roomCodeChecksumLen], payload[len(payload)-roomCodeChecksumLen:]
	if subtle.ConstantTimeCompare(sum, roomCodeChecksum(content)) != 1 {
		return RoomCode{}, errors.New("the room code has a typo")
	}
	if content[0] != roomCodeVersion {
		return RoomCode{}, fmt.Errorf("version %d is not supported by this Hallway; it may need an update", content[0])
	}
	rest := content[1:]
	room := strings.ToLower(encodeCrockford(rest[:roomCodeIDBytes]))
	rest = rest[roomCodeIDBytes:]
	pub, err := ic.UnmarshalEd25519PublicKey(rest[:roomCodeKeyBytes])
	if err != nil {
		return RoomCode{}, fmt.Errorf("the issuer in the code is invalid: %w", err)
	}
	issuer, err := peer.IDFromPublicKey(pub)
	if err != nil {
		return RoomCode{}, fmt.Errorf("the issuer in the code is invalid: %w", err)
	}
	var c RoomCode
	c.Room, c.Issuer = room, issuer
	copy(c.Token[:], rest[roomCodeKeyBytes:])
	if err := chat.CheckInvitedRoomID(c.Room); err != nil {
		return RoomCode{}, fmt.Errorf("the room id in the code is %w", err)
	}
	return c, nil
}

func roomCodeChecksum(content []byte) []byte {
	h := sha256.New()
	h.Write([]byte(roomCodeDomain))
	h.Write(content)
	return h.Sum(nil)[:roomCodeChecksumLen]
}

// crockfordLen is the number of symbols encodeCrockford makes of n bytes.
func crockfordLen(n int) int {
	return (n*8 + 4) / 5
}
