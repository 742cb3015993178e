package crypto

// A room body is the plaintext sealed in an envelope. Encoding, version 2:
//
//	0x02                  format version
//	1 byte                kind (BodyText, BodyJoin, BodyLeave, BodyFile, the
//	                      membership kinds of membership.go, BodyCodeIssued,
//	                      BodyCodeRevoked)
//	8 bytes               sent-at, unix milliseconds, big-endian, > 0
//	32 bytes              prev: ChainHash of the author's envelope of seq-1
//	                      in the room, all zero for seq 1
//	uvarint n, n bytes    author's display name, UTF-8, 0..256 bytes
//	uvarint n, n bytes    text, UTF-8: 1..65536 bytes for BodyText and
//	                      BodyFile; a code record for BodyCodeIssued and
//	                      BodyCodeRevoked (codebody.go); for a membership
//	                      kind its operation (MemberOp), which a join or
//	                      leave from before operations lacks; for a reply,
//	                      edit, delete or reaction its RefBody (refbody.go)
//
// Version 1 is the same without prev; it still decodes (Chained false).
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

	roomBodyV1      = 1
	roomBodyVersion = 2
)

// RoomBody is the content of one room message. The author's name travels
// with every message because latecomers read history from peers who may
// never have seen the author's profile.
type RoomBody struct {
	Kind   BodyKind
	Name   string // the author's display name at send time
	SentAt int64  // the author's wall clock, unix milliseconds
	Text   string // for BodyText only
	// Prev chains the author's posts in the room: the ChainHash of their
	// envelope of the previous seq, zero for seq 1. Sealed, so only
	// members see it, and signed with the rest of the envelope.
	Prev [ChainHashLen]byte
	// Chained is false for a body of format version 1, which names no
	// Prev; Marshal then writes version 1 again.
	Chained bool
}

// Validate reports why b cannot be sent, so a sender learns it before
// sealing instead of every receiver discarding the message.
func (b RoomBody) Validate() error {
	switch b.Kind {
	case BodyText, BodyFile:
		if len(b.Text) == 0 || len(b.Text) > MaxTextBytes {
			return fmt.Errorf("room body: text of %d bytes is outside 1..%d", len(b.Text), MaxTextBytes)
		}

	case BodyCodeIssued:
		if _, err := ParseCodeIssued(b.Text); err != nil {
			return fmt.Errorf("room body: %w", err)
		}
	case BodyCodeRevoked:
		if _, err := ParseCodeRevoked(b.Text); err != nil {
			return fmt.Errorf("room body: %w", err)
		}
	case BodyJoin, BodyLeave:
		if len(b.Text) != 0 {
			if _, err := UnmarshalMemberOp(b.Kind, []byte(b.Text)); err != nil {
				return fmt.Errorf("room body: %w", err)
			}
		}
	case BodyCreate, BodyAdd, BodyRemove, BodyRole, BodyPolicy, BodyAck:
		if _, err := UnmarshalMemberOp(b.Kind, []byte(b.Text)); err != nil {
			return fmt.Errorf("room body: %w", err)
		}
	case BodyReply, BodyEdit, BodyDelete, BodyReact, BodyUnreact:
		if _, err := UnmarshalRefBody(b.Kind, []byte(b.Text)); err != nil {
			return fmt.Errorf("room body: %w", err)
		}
	default:
		return fmt.Errorf("room body: unknown kind %d", b.Kind)
	}
	switch {
	case len(b.Name) > MaxNameBytes:
		return fmt.Errorf("room body: name of %d bytes exceeds %d", len(b.Name), MaxNameBytes)
	case !utf8.ValidString(b.Name):
		return errors.New("room body: name is not valid UTF-8")
	case !IsMemberOpKind(b.Kind) && !IsRefKind(b.Kind) && !utf8.ValidString(b.Text):
		return errors.New("room body: text is not valid UTF-8")
	case b.SentAt <= 0:
		return fmt.Errorf("room body: sent-at %d is not a positive unix time", b.SentAt)
	}
	return nil
}

// Marshal encodes b. It does not validate: an invalid body encodes to
// bytes that UnmarshalRoomBody rejects; call Validate first.
func (b RoomBody) Marshal() []byte {
	out := make([]byte, 0, 2+8+ChainHashLen+prefixedLen(len(b.Name))+prefixedLen(len(b.Text)))
	version := byte(roomBodyV1)
	if b.Chained {
		version = roomBodyVersion
	}
	out = append(out, version, byte(b.Kind))
	out = binary.BigEndian.AppendUint64(out, uint64(b.SentAt))
	if b.Chained {
		out = append(out, b.Prev[:]...)
	}
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
	if version != roomBodyV1 && version != roomBodyVersion {
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
	var b RoomBody
	if version == roomBodyVersion {
		prev, err := r.fixed(ChainHashLen, "prev")
		if err != nil {
			return RoomBody{}, err
		}
		copy(b.Prev[:], prev)
		b.Chained = true
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
	b.Kind, b.Name, b.SentAt, b.Text = BodyKind(kind), string(name), int64(sentAt), string(text)
	return b, nil
}
