package archive

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// Format and Version name the export format; docs/ARCHIVE.md describes it.
const (
	Format  = "hallway-export"
	Version = 1
)

// Proof types: how a message shows it was not altered.
const (
	// ProofDM: the author's Ed25519 signature over the direct message's
	// canonical bytes (crypto.DMContent).
	ProofDM = "dm-signature-v1"
	// ProofRoom: the room envelope as its author signed it, with the key
	// that opens this envelope alone.
	ProofRoom = "room-envelope-v1"
	// ProofNone: stored before messages were signed; shown, not proven.
	ProofNone = "unsigned"
)

// TimeLayout is how every time in an export is written: UTC, milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime writes t as an export does.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// ParseTime reads a time written by FormatTime.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeLayout, s) }

// Document is an export file: the body, exactly as its bytes stand in the
// file, a digest of those bytes and the exporter's signature of the digest.
type Document struct {
	Format    string          `json:"format"`
	Version   int             `json:"version"`
	Body      json.RawMessage `json:"body"`
	Digest    string          `json:"digest"`
	Signature Signature       `json:"signature"`
}

// Signature is the exporting node's signature over the digest.
type Signature struct {
	Signer    string `json:"signer"`     // peer ID
	PublicKey string `json:"public_key"` // base64 of the libp2p-marshalled public key
	Value     string `json:"value"`      // base64 Ed25519 signature
}

// Body is what an export holds.
type Body struct {
	ExportedAt string    `json:"exported_at"`
	ExportedBy Author    `json:"exported_by"`
	Scope      Scope     `json:"scope"`
	Authors    []Author  `json:"authors"`
	Rooms      []Room    `json:"rooms"`
	Files      []File    `json:"files"`
	Messages   []Message `json:"messages"`
}

// Scope records what was asked for; empty fields mean everything.
type Scope struct {
	Conversation   string `json:"conversation,omitempty"`
	ConversationID string `json:"conversation_id,omitempty"`
	Since          string `json:"since,omitempty"`
	Until          string `json:"until,omitempty"`
}

// Author is a person whose messages appear, identified by key. Name is
// the one the exporter knows that key by (never what a message claims);
// Verified says the exporter's user checked the key in person, Warning
// that the name is also another key's.
type Author struct {
	PeerID      string `json:"peer_id"`
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	PublicKey   string `json:"public_key"` // base64 of the libp2p-marshalled public key
	Verified    bool   `json:"verified,omitempty"`
	Warning     string `json:"warning,omitempty"`
}

// Room is a room whose messages appear.
type Room struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	General bool   `json:"general"`
	// Workspace marks the workspace room, whose log names the workspace's
	// admins and policy.
	Workspace bool     `json:"workspace,omitempty"`
	Left      bool     `json:"left"`
	Members   []string `json:"members"` // peer IDs, as the room's log last announced them
	// Forks is the evidence of members that signed two different
	// envelopes under one seq, as the exporter kept it.
	Forks []Fork `json:"forks,omitempty"`
}

// File is the exporting node's record of a file sent or received.
type File struct {
	ID           string `json:"id"`
	Direction    string `json:"direction"` // "in" or "out"
	Peer         string `json:"peer"`
	Conversation string `json:"conversation_id"`
	Name         string `json:"name"`
	Folder       bool   `json:"folder"`
	Size         int64  `json:"size"`
	Files        int    `json:"files"`
	Hash         string `json:"hash"` // content hash (the manifest's)
	State        string `json:"state"`
	SavedAs      string `json:"saved_as,omitempty"` // received: the file name it was saved under
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

// Message is one message with its proof.
type Message struct {
	ID               string      `json:"id"`
	Conversation     string      `json:"conversation"`    // colleague's peer ID, or "#name" of the room
	ConversationID   string      `json:"conversation_id"` // peer ID or room id
	ConversationName string      `json:"conversation_name"`
	Room             bool        `json:"room"`
	From             string      `json:"from"`
	FromName         string      `json:"from_name"`
	To               string      `json:"to,omitempty"` // DMs: the recipient's peer ID
	Time             string      `json:"time"`         // the author's clock
	ReceivedAt       string      `json:"received_at"`  // this node's clock when stored
	Kind             string      `json:"kind"`
	Text             string      `json:"text"`
	State            string      `json:"state"`
	HLC              string      `json:"hlc,omitempty"`        // rooms: decimal
	AuthorSeq        string      `json:"author_seq,omitempty"` // rooms: decimal
	File             *Offer      `json:"file,omitempty"`
	Invite           *Invite     `json:"invite,omitempty"`
	FileStatus       *FileStatus `json:"file_status,omitempty"`
	// Ref names the message a reply, an edit, a delete or a reaction is
	// about; the author's proof covers it.
	Ref   *Ref   `json:"ref,omitempty"`
	Proof Proof  `json:"proof"`
	Hash  string `json:"hash"` // sha256 of RecordBytes, hex
}

// Ref names a message by its id and its author's peer ID.
type Ref struct {
	ID   string `json:"id"`
	From string `json:"from"`
}

// Offer is a file offered in a message.
type Offer struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	Files  int64  `json:"files"`
	Folder bool   `json:"folder"`
	Hash   string `json:"hash"`
}

// Invite is a room invitation; the key appears by its hash only.
type Invite struct {
	Room      string `json:"room"`
	Name      string `json:"name"`
	KeySHA256 string `json:"key_sha256"` // hex of crypto.RoomKeyHash
}

// FileStatus is an answer to a file offer.
type FileStatus struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// Proof lets a reader check a message with nothing but the export.
type Proof struct {
	Type       string `json:"type"`                  // ProofDM, ProofRoom or ProofNone
	Signature  string `json:"signature,omitempty"`   // DMs: base64
	Envelope   string `json:"envelope,omitempty"`    // rooms: base64 of the signed envelope
	MessageKey string `json:"message_key,omitempty"` // rooms: base64 of the envelope's own key
}

const recordDomain = "hallway-export-message-v1"

// RecordBytes is the canonical form of every field of m but Hash: the
// domain string, then each field as its name and its value, each preceded
// by its length as a uvarint, in the order below. Values are the strings
// of the JSON; numbers are written in decimal, booleans as "true" or
// "false", and an absent file, invite or file status as empty values.
func (m *Message) RecordBytes() []byte {
	var offer Offer
	if m.File != nil {
		offer = *m.File
	}
	var inv Invite
	if m.Invite != nil {
		inv = *m.Invite
	}
	var st FileStatus
	if m.FileStatus != nil {
		st = *m.FileStatus
	}
	fields := []string{
		"id", m.ID,
		"conversation", m.Conversation,
		"conversation_id", m.ConversationID,
		"conversation_name", m.ConversationName,
		"room", strconv.FormatBool(m.Room),
		"from", m.From,
		"from_name", m.FromName,
		"to", m.To,
		"time", m.Time,
		"received_at", m.ReceivedAt,
		"kind", m.Kind,
		"text", m.Text,
		"state", m.State,
		"hlc", m.HLC,
		"author_seq", m.AuthorSeq,
		"file", strconv.FormatBool(m.File != nil),
		"file.id", offer.ID,
		"file.name", offer.Name,
		"file.size", strconv.FormatInt(offer.Size, 10),
		"file.files", strconv.FormatInt(offer.Files, 10),
		"file.folder", strconv.FormatBool(offer.Folder),
		"file.hash", offer.Hash,
		"invite", strconv.FormatBool(m.Invite != nil),
		"invite.room", inv.Room,
		"invite.name", inv.Name,
		"invite.key_sha256", inv.KeySHA256,
		"file_status", strconv.FormatBool(m.FileStatus != nil),
		"file_status.id", st.ID,
		"file_status.state", st.State,
		"file_status.reason", st.Reason,
		"proof.type", m.Proof.Type,
		"proof.signature", m.Proof.Signature,
		"proof.envelope", m.Proof.Envelope,
		"proof.message_key", m.Proof.MessageKey,
	}
	if m.Ref != nil {
		// Only when set, so records from before refs keep their bytes.
		fields = append(fields, "ref.id", m.Ref.ID, "ref.from", m.Ref.From)
	}
	n := len(recordDomain)
	for _, f := range fields {
		n += binary.MaxVarintLen64 + len(f)
	}
	out := make([]byte, 0, n)
	out = append(out, recordDomain...)
	for _, f := range fields {
		out = binary.AppendUvarint(out, uint64(len(f)))
		out = append(out, f...)
	}
	return out
}

// RecordHash is the hex SHA-256 of RecordBytes, what Hash must hold.
func (m *Message) RecordHash() string {
	h := sha256.Sum256(m.RecordBytes())
	return hex.EncodeToString(h[:])
}
