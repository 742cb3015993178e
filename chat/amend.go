package chat

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A reply, an edit, a delete and a reaction are messages of their own,
// signed by their author like any other, that name the message they are
// about by its author's key and its id (MessageRef). History shows them
// folded into that message: a reply quotes it, the latest edit replaces
// its text (earlier versions stay on record), a delete leaves a stub, and
// reactions are counted under it. Only a message's author may edit or
// delete it: the rule is that the ref's author is the amendment's author,
// checked on receipt and again when folding, so a look-alike name or a
// forged id changes nothing.

// MessageRef names one message of a conversation: ids are chosen by their
// author, so the author's peer id is part of the name.
type MessageRef struct {
	ID   string `json:"id"`
	From string `json:"from"`
}

// Quote is what a reply shows of the message it answers.
type Quote struct {
	MessageRef
	FromName string `json:"from_name,omitempty"`
	// Text is the first line of the message's current text, cut to
	// QuoteRunes; empty when the message is deleted or not (yet) here.
	Text    string `json:"text"`
	Deleted bool   `json:"deleted,omitempty"`
	Missing bool   `json:"missing,omitempty"` // not (yet) received
}

// Version is one earlier text of an edited message.
type Version struct {
	Text string    `json:"text"`
	Time time.Time `json:"time"`
}

// Reaction is one emoji under a message and who chose it.
type Reaction struct {
	Emoji string   `json:"emoji"`
	Count int      `json:"count"`
	By    []string `json:"by"`    // peer ids, in the order they reacted
	Names []string `json:"names"` // their names as known, same order
	Mine  bool     `json:"mine"`  // we are among them
}

// Limits of amendments.
const (
	// MaxEmojiBytes is the longest reaction (a flag or a family sequence
	// fits).
	MaxEmojiBytes = 32
	// MaxRefIDBytes is the longest message id a ref may name.
	MaxRefIDBytes = 64
	// QuoteRunes is how much of the answered message a quote shows.
	QuoteRunes = 120
)

// IsAmendment reports whether k changes another message rather than
// being one to show: an edit, a delete or a reaction.
func (k Kind) IsAmendment() bool {
	switch k {
	case KindEdit, KindDelete, KindReact, KindUnreact:
		return true
	}
	return false
}

// HasRef reports whether messages of kind k name another message.
func (k Kind) HasRef() bool { return k == KindReply || k == KindRead || k.IsAmendment() }

// CheckEmoji validates a reaction from a user or a peer: one short
// grapheme-like run of symbols, no letters, digits, spaces or controls, so
// a reaction cannot smuggle a message in.
func CheckEmoji(s string) error {
	if s == "" || len(s) > MaxEmojiBytes || !utf8.ValidString(s) {
		return fmt.Errorf("a reaction is one emoji of at most %d bytes", MaxEmojiBytes)
	}
	for _, r := range s {
		switch {
		case r == '\u200d' || r == '\ufe0f' || r == '\u20e3' || (r >= 0x1f3fb && r <= 0x1f3ff) || (r >= 0xe0020 && r <= 0xe007f):
			// joiner, presentation selector, keycap, skin tones, tag letters
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || unicode.IsControl(r) || isHiddenInName(r):
			return fmt.Errorf("a reaction is one emoji, not text")
		}
	}
	return nil
}

// CheckRef validates a message ref from a user or a peer.
func CheckRef(r MessageRef) error {
	if r.ID == "" || len(r.ID) > MaxRefIDBytes || strings.ContainsFunc(r.ID, func(c rune) bool { return c <= ' ' || c > '~' }) {
		return fmt.Errorf("bad message id %q", truncate(r.ID))
	}
	if r.From == "" || len(r.From) > 128 {
		return fmt.Errorf("bad author in message ref")
	}
	return nil
}

// CheckAmendText validates the text an amendment of kind k carries: a
// reply's and an edit's are message texts, a delete's is empty, a
// reaction's is one emoji.
func CheckAmendText(k Kind, text string) error {
	switch k {
	case KindReply, KindEdit:
		return CheckText(text)
	case KindDelete, KindRead:
		if text != "" {
			return fmt.Errorf("a %s carries no text", k)
		}
		return nil
	case KindReact, KindUnreact:
		return CheckEmoji(text)
	}
	return fmt.Errorf("kind %s names no message", k)
}

// FirstLine is the start of a text as a quote shows it.
func FirstLine(text string) string {
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	if utf8.RuneCountInString(text) > QuoteRunes {
		r := []rune(text)
		text = string(r[:QuoteRunes]) + "…"
	}
	return text
}
