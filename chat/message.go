package chat

import (
	"fmt"
	"time"
)

// Message is one message of a conversation.
type Message struct {
	ID           string `json:"id"`
	Conversation string `json:"conversation"` // "dm:<peer id>"
	From         string `json:"from"`         // author's peer ID
	// FromName is the name the author's key is known by (their profile),
	// never what a message claims; for a key never met, the name it
	// signed, if a profile could carry it. FromVerified and FromWarning
	// go with it.
	FromName     string       `json:"from_name"`
	FromVerified bool         `json:"from_verified,omitempty"`
	FromWarning  *NameWarning `json:"from_warning,omitempty"`
	Text         string       `json:"text"`
	Time         time.Time    `json:"time"`  // author's clock, unless implausible: see SetTime
	State        string       `json:"state"` // sent, delivered or received
	Outgoing     bool         `json:"outgoing"`
	Seq          int64        `json:"seq"`            // local order, for paging a DM conversation
	Kind         string       `json:"kind,omitempty"` // text (default), join, leave, invite
	// Rooms: the author's clock and sequence number; the room order is
	// (hlc, from, author_seq) on every member.
	HLC       uint64 `json:"hlc,omitempty"`
	AuthorSeq uint64 `json:"author_seq,omitempty"`
	// TransferID: the transfer a file message offers.
	TransferID string `json:"transfer_id,omitempty"`
	// ClaimedTime is the author's clock when Time is not: the author
	// claimed a time too far ahead of the one it arrived (see ShownTime).
	ClaimedTime time.Time `json:"claimed_time,omitzero"`
	// Ref: for a reply, an edit, a delete or a reaction, the message it
	// is about.
	Ref *MessageRef `json:"ref,omitempty"`
	// The fold of the amendments history holds for this message (see
	// amend.go): the message a reply answers, whether and when its author
	// edited it (Text is then the latest version, Versions the earlier
	// ones, oldest first), deleted it (Text is then empty), and the
	// reactions under it.
	ReplyTo   *Quote     `json:"reply_to,omitempty"`
	Edited    bool       `json:"edited,omitempty"`
	EditedAt  time.Time  `json:"edited_at,omitzero"`
	Versions  []Version  `json:"versions,omitempty"`
	Deleted   bool       `json:"deleted,omitempty"`
	Reactions []Reaction `json:"reactions,omitempty"`
	// ReadAt: for our own DMs, when the colleague's window showed it
	// (zero: not yet, or read receipts are off on either side).
	ReadAt time.Time `json:"read_at,omitzero"`
	// Mentions lists the peer ids the text mentions (its "<@id>" tokens,
	// see mention.go), first first.
	Mentions []string `json:"mentions,omitempty"`
	// Receipts: for our own room messages, who of the room holds and has
	// read it (nil for any other message); its fields appear flat.
	*Receipts
}

// ReadMark says how far a colleague has read our DMs to them.
type ReadMark struct {
	Conversation string    `json:"conversation"` // "dm:<their peer id>"
	UpTo         string    `json:"up_to"`        // the id of the newest of our messages they read
	At           time.Time `json:"at"`
}

// TypingSignal says that a colleague is typing to us (until Until), or
// stopped (Until zero).
type TypingSignal struct {
	Conversation string    `json:"conversation"` // "dm:<their peer id>"
	From         string    `json:"from"`
	Until        time.Time `json:"until,omitzero"`
}

// TypingFor is how long a typing signal holds unless renewed; a sender
// renews it at most every TypingEvery.
const (
	TypingFor   = 6 * time.Second
	TypingEvery = 3 * time.Second
)

// Receipts say how far one of our room messages got, from the receipts the
// other members share: Members is how many other members the room has,
// Delivered how many of them hold the message, Read how many have read it
// (members that turned read receipts off never count). DeliveredTo and
// ReadBy name them (their names as known, else their peer ids).
type Receipts struct {
	Delivered   int      `json:"delivered"`
	Read        int      `json:"read"`
	Members     int      `json:"members"`
	DeliveredTo []string `json:"delivered_to,omitempty"`
	ReadBy      []string `json:"read_by,omitempty"`
}

// ReceiptLine says how far a room message got, as the window and the
// command line show it: "delivered to 7 of 9, read by 5".
func ReceiptLine(r Receipts) string {
	return fmt.Sprintf("delivered to %d of %d, read by %d", r.Delivered, r.Members, r.Read)
}
