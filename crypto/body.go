package crypto

// A room body is the plaintext sealed in an envelope. Encoding, version 1:
//
//	0x01                  format version
//	1 byte                kind (BodyText, BodyJoin, BodyLeave, BodyFile,
//	                      BodyCodeIssued, BodyCodeRevoked)
//	8 bytes               sent-at, unix milliseconds, big-endian, > 0
//	uvarint n, n bytes    author's display name, UTF-8, 0..256 bytes
//	uvarint n, n bytes    text, UTF-8: 1..65536 bytes for BodyText and
//	                      BodyFile, a code record for BodyCodeIssued and
//	                      BodyCodeRevoked, "" or a code's hash for BodyJoin
//	                      (codebody.go), else 0
//
// Uvarints are in their shortest form, so each body has one encoding.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"

	"hallway/chat"
)

// BodyKind says what a room message is.
type BodyKind byte

// The kinds a room body carries: the body forms of chat's message kinds
// (see chat.KindFromBody).
const (
	BodyText  = BodyKind(chat.BodyText)  // a chat message
	BodyJoin  = BodyKind(chat.BodyJoin)  // the author joined the room
	BodyLeave = BodyKind(chat.BodyLeave) // the author left the room
	BodyFile  = BodyKind(chat.BodyFile)  // a file offer; Text holds its description
	// BodyCodeIssued records a room code its author issued (CodeIssued).
	BodyCodeIssued = BodyKind(chat.BodyCodeIssued)
	// BodyCodeRevoked withdraws one room code or all (CodeRevoked).
	BodyCodeRevoked = BodyKind(chat.BodyCodeRevoked)
)

const (
	// MaxNameBytes caps the display name carried in a room message.
	MaxNameBytes = 256
	// MaxTextBytes caps the text of one room message.
	MaxTextBytes = chat.MaxTextBytes

	roomBodyVersion = 1
)

// RoomBody is the content of one room message. The author's name travels
// with every message because latecomers read history from peers who may
// never have seen the author's profile.
type RoomBody struct {
	Kind   BodyKind
	Name   string // the author's display name at send time
	SentAt int64  // the author's wall clock, unix milliseconds
	Text   string // for BodyText only
}

// Validate reports why b cannot be sent, so a sender learns it before
// sealing instead of every receiver discarding the message.
func (b RoomBody) Validate() error {
	switch b.Kind {
	case BodyText, BodyFile:
		if len(b.Text) == 0 || len(b.Text) > MaxTextBytes {
			return fmt.Errorf("room body: text of %d bytes is outside 1..%d", len(b.Text), MaxTextBytes)
		}
	case BodyJoin:
		if _, _, err := ParseJoinText(b.Text); err != nil {
			return fmt.Errorf("room body: %w", err)
		}
	case BodyCodeIssued:
		if _, err := ParseCodeIssued(b.Text); err != nil {
			return fmt.Errorf("room body: %w", err)
		}
	case BodyCodeRevoked:
		if _, err := ParseCodeRevoked(b.Text); err != nil {
			return fmt.Errorf("room body: %w", err)
		}
	case BodyLeave:
		if len(b.Text) != 0 {
			return fmt.Errorf("room body: kind %d carries no text", b.Kind)
		}
	default:
		return fmt.Errorf("room body: unknown kind %d", b.Kind)
	}
	switch {
	case len(b.Name) > MaxNameBytes:
		return fmt.Errorf("room body: name of %d bytes exceeds %d", len(b.Name), MaxNameBytes)
	case !utf8.ValidString(b.Name):
		return errors.New("room body: name is not valid UTF-8")
	case !utf8.ValidString(b.Text):
		return errors.New("room body: text is not valid UTF-8")
	case b.SentAt <= 0:
		return fmt.Errorf("room body: sent-at %d is not a positive unix time", b.SentAt)
	}
	return nil
}

// Marshal encodes b. It does not validate: an invalid body encodes to
// bytes that UnmarshalRoomBody rejects; call Validate first.
func (b RoomBody) Marshal() []byte {
	out := make([]byte, 0, 2+8+prefixedLen(len(b.Name))+prefixedLen(len(b.Text)))
	out = append(out, roomBodyVersion, byte(b.Kind))
	out = binary.BigEndian.AppendUint64(out, uint64(b.SentAt))
	out = appendPrefixed(out, []byte(b.Name))
	return appendPrefixed(out, []byte(b.Text))
}

// UnmarshalRoomBody decodes and validates a body from an opened envelope.
func UnmarshalRoomBody(p []byte) (RoomBody, error) {
	if len(p) > MaxBodyBytes {
		return RoomBody{}, fmt.Errorf("unmarshal room body: %d bytes exceeds %d", len(p), MaxBodyBytes)
	}
	b, err := decodeRoomBody(&wireReader{b: p})
	if err != nil {
		return RoomBody{}, fmt.Errorf("unmarshal room body: %w", err)
	}
	if err := b.Validate(); err != nil {
		return RoomBody{}, fmt.Errorf("unmarshal %w", err)
	}
	return b, nil
}

func decodeRoomBody(r *wireReader) (RoomBody, error) {
	version, err := r.u8("version")
	if err != nil {
		return RoomBody{}, err
	}
	if version != roomBodyVersion {
		return RoomBody{}, fmt.Errorf("version %d is not supported", version)
	}
	kind, err := r.u8("kind")
	if err != nil {
		return RoomBody{}, err
	}
	sentAt, err := r.u64("sent-at")
	if err != nil {
		return RoomBody{}, err
	}
	name, err := r.prefixed(0, MaxNameBytes, "name")
	if err != nil {
		return RoomBody{}, err
	}
	text, err := r.prefixed(0, MaxTextBytes, "text")
	if err != nil {
		return RoomBody{}, err
	}
	if !r.empty() {
		return RoomBody{}, fmt.Errorf("%d trailing bytes", len(r.b))
	}
	return RoomBody{Kind: BodyKind(kind), Name: string(name), SentAt: int64(sentAt), Text: string(text)}, nil
}
