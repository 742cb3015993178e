package crypto

// A room message about another message (a reply, an edit, a delete, a
// reaction) carries in its body's text a ref body, version 1:
//
//	0x01                  format version
//	uvarint n, n bytes    the peer ID bytes of the named message's author,
//	                      1..MaxRefAuthorBytes
//	uvarint n, n bytes    the named message's id, 1..chat.MaxRefIDBytes of
//	                      printable ASCII
//	uvarint n, n bytes    the text: a reply's or an edit's message text, a
//	                      delete's nothing, a reaction's emoji (chat's
//	                      CheckAmendText says what each kind may carry)
//
// The envelope's signature covers it like any body, so the ref is the
// author's as much as the text.

import (
	"errors"
	"fmt"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/peer"
)

// The kinds of room body that name another message.
const (
	BodyReply   = BodyKind(chat.BodyReply)
	BodyEdit    = BodyKind(chat.BodyEdit)
	BodyDelete  = BodyKind(chat.BodyDelete)
	BodyReact   = BodyKind(chat.BodyReact)
	BodyUnreact = BodyKind(chat.BodyUnreact)
)

const (
	refBodyVersion = 1
	// MaxRefAuthorBytes caps the author of a named message (an Ed25519
	// peer ID has 38 bytes).
	MaxRefAuthorBytes = 64
)

// IsRefKind reports whether a body of kind k carries a RefBody.
func IsRefKind(k BodyKind) bool { return k >= BodyReply && k <= BodyUnreact }

// RefBody is what a room message about another message says.
type RefBody struct {
	Author peer.ID // the named message's author
	ID     string  // the named message's id
	Text   string
}

// Marshal encodes r; it does not validate (UnmarshalRefBody does).
func (r RefBody) Marshal() []byte {
	out := make([]byte, 0, 1+prefixedLen(len(r.Author))+prefixedLen(len(r.ID))+prefixedLen(len(r.Text)))
	out = append(out, refBodyVersion)
	out = appendPrefixed(out, []byte(r.Author))
	out = appendPrefixed(out, []byte(r.ID))
	return appendPrefixed(out, []byte(r.Text))
}

// UnmarshalRefBody decodes and validates the ref body of a room message of
// kind k.
func UnmarshalRefBody(k BodyKind, p []byte) (RefBody, error) {
	kind, ok := chat.KindFromBody(byte(k))
	if !ok || !IsRefKind(k) {
		return RefBody{}, fmt.Errorf("ref body: kind %d names no message", k)
	}
	rd := &wireReader{b: p}
	v, err := rd.u8("ref version")
	if err != nil {
		return RefBody{}, fmt.Errorf("ref body: %w", err)
	}
	if v != refBodyVersion {
		return RefBody{}, fmt.Errorf("ref body: version %d is not supported", v)
	}
	author, err := rd.prefixed(1, MaxRefAuthorBytes, "ref author")
	if err != nil {
		return RefBody{}, fmt.Errorf("ref body: %w", err)
	}
	id, err := rd.prefixed(1, chat.MaxRefIDBytes, "ref id")
	if err != nil {
		return RefBody{}, fmt.Errorf("ref body: %w", err)
	}
	text, err := rd.prefixed(0, MaxTextBytes, "ref text")
	if err != nil {
		return RefBody{}, fmt.Errorf("ref body: %w", err)
	}
	if !rd.empty() {
		return RefBody{}, errors.New("ref body: trailing bytes")
	}
	pid, err := peer.IDFromBytes(author)
	if err != nil {
		return RefBody{}, fmt.Errorf("ref body: author: %w", err)
	}
	r := RefBody{Author: pid, ID: string(id), Text: string(text)}
	if err := chat.CheckRef(chat.MessageRef{ID: r.ID, From: pid.String()}); err != nil {
		return RefBody{}, fmt.Errorf("ref body: %w", err)
	}
	if err := chat.CheckAmendText(kind, r.Text); err != nil {
		return RefBody{}, fmt.Errorf("ref body: %w", err)
	}
	return r, nil
}
