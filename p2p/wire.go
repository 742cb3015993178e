package p2p

import (
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Protocol IDs. A change to a frame's meaning gets a new version.
const (
	ProtoDM      = "/hallway/dm/1.0.0"
	ProtoProfile = "/hallway/profile/1.0.0"
)

// Limits of what a peer may send us; what a message, a name or a status
// may say is chat's (chat.CheckText, chat.CheckProfileFields, ...).
const (
	// JSON may escape a control byte as six bytes, so the frame has room for
	// the worst case of a maximal text plus the envelope.
	maxDMFrame      = 6*chat.MaxTextBytes + 4<<10
	maxAckFrame     = 1 << 10
	maxProfileFrame = 64 << 10
	maxDMBatch      = 256 // frames per stream before the sender opens a new one

	maxKnownPeers   = 64
	maxAddrsPerPeer = 8
	maxAddrLen      = 512 // an introduced address, as text
	maxIDLen        = 64
)

// DM is one direct message on the wire. The author is the authenticated
// remote peer of the stream, so it is not part of the frame.
type DM struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	SentAt int64  `json:"sent_at"` // unix milliseconds, author's clock
	// Kind is "" for a plain message or "invite" for a room invitation.
	// Receivers treat unknown kinds as plain text, so older versions
	// still show the message instead of refusing it forever.
	Kind       string      `json:"kind,omitempty"`
	Invite     *RoomInvite `json:"invite,omitempty"`
	File       *FileOffer  `json:"file,omitempty"`
	FileStatus *FileStatus `json:"file_status,omitempty"`
	RoomKey    *RoomKey    `json:"room_key,omitempty"`
	// Ref names the message a reply, an edit, a delete or a reaction is
	// about (chat.MessageRef's fields).
	Ref *MessageRef `json:"ref,omitempty"`
	// Sig is the author's signature over the message (crypto.DMContent),
	// so that it can be shown to others as the author's; older versions
	// send none.
	Sig []byte `json:"sig,omitempty"`
}

// MessageRef names a message by its author and id.
type MessageRef struct {
	ID   string `json:"id"`
	From string `json:"from"`
}

// dmSigLen is the length of a DM signature (Ed25519).
const dmSigLen = 64

// DM kinds beyond plain text: the DM forms of chat's kinds (see
// chat.KindFromDM), which equal their names.
const (
	DMKindInvite     = string(chat.KindInvite)     // carries a room invitation
	DMKindFile       = string(chat.KindFile)       // offers a file or folder
	DMKindFileStatus = string(chat.KindFileStatus) // tells the sender what became of an offer
	DMKindRoomKey    = string(chat.KindRoomKey)    // hands a member a room's key for a new epoch
)

// RoomKey hands a member the key of a room's new epoch. Removed lists the
// peers the re-key left out (at most MaxRoomKeyRemoved).
type RoomKey struct {
	Room    string   `json:"room"`
	Epoch   uint64   `json:"epoch"`
	Key     []byte   `json:"key"`
	Removed []string `json:"removed,omitempty"`
}

// MaxRoomKeyRemoved bounds the peers one re-key names as left out.
const MaxRoomKeyRemoved = 64

func checkRoomKey(k *RoomKey) error {
	switch {
	case k == nil:
		return fmt.Errorf("room key without a room")
	case chat.CheckInvitedRoomID(k.Room) != nil && !chat.IsGeneralRoomID(k.Room):
		// A #general's epochs are keyed by the workspace's admins (which
		// the receiver checks); its id is every member's own.
		return fmt.Errorf("room key with a bad room id")
	case k.Epoch == 0 || k.Epoch > maxSyncEpoch:
		return fmt.Errorf("room key with a bad epoch")
	case len(k.Key) != 32:
		return fmt.Errorf("room key of %d bytes", len(k.Key))
	case len(k.Removed) > MaxRoomKeyRemoved:
		return fmt.Errorf("room key leaving out %d peers", len(k.Removed))
	}
	for _, r := range k.Removed {
		if len(r) == 0 || len(r) > 128 {
			return fmt.Errorf("room key leaving out a bad peer id")
		}
	}
	return nil
}

// FileOffer describes a file or folder a colleague offers; the manifest
// (chunk hashes) is fetched on accept and must hash to Hash.
type FileOffer struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	Files  int    `json:"files"`
	Folder bool   `json:"folder,omitempty"`
	Hash   string `json:"hash"`
	// Expires is when the sender stops serving the content, in unix
	// milliseconds; 0: no end said.
	Expires int64 `json:"expires,omitempty"`
}

// FileStatus reports the receiver's decision or result for an offer.
type FileStatus struct {
	ID     string `json:"id"`
	State  string `json:"state"` // declined, done or failed
	Reason string `json:"reason,omitempty"`
}

// CheckFileOffer validates an offer from a peer. The name is checked for
// shape only; it is made safe before any use on disk.
func CheckFileOffer(o *FileOffer) error {
	switch {
	case o == nil:
		return fmt.Errorf("file offer missing")
	case !ValidID(o.ID):
		return fmt.Errorf("file offer with a bad id")
	case len(o.Hash) != 64:
		return fmt.Errorf("file offer with a bad hash")
	case o.Size < 0 || o.Files < 0 || o.Files > 10000 || !o.Folder && o.Files > 1:
		return fmt.Errorf("file offer with a bad size")
	case o.Expires < 0:
		return fmt.Errorf("file offer with a bad expiry")
	case o.Name == "" || len(o.Name) > 4096 || !utf8.ValidString(o.Name):
		return fmt.Errorf("file offer with a bad name")
	}
	return nil
}

// maxFileOfferBytes bounds an offer carried as JSON: a 4 KiB name, which
// JSON may escape sixfold, and the other fields.
const maxFileOfferBytes = 6*4096 + 1024

// DecodeFileOffer parses and validates an offer carried as JSON, the text
// of a room message of kind file.
func DecodeFileOffer(b []byte) (FileOffer, error) {
	if len(b) > maxFileOfferBytes {
		return FileOffer{}, fmt.Errorf("%w: file offer of %d bytes", ErrBadFrame, len(b))
	}
	var o FileOffer
	if err := json.Unmarshal(b, &o); err != nil {
		return FileOffer{}, fmt.Errorf("%w: file offer: %v", ErrBadFrame, err)
	}
	if err := CheckFileOffer(&o); err != nil {
		return FileOffer{}, fmt.Errorf("%w: %v", ErrBadFrame, err)
	}
	return o, nil
}

// RoomInvite hands a colleague a room: its id, name and key. It only
// travels inside the end-to-end encrypted DM channel.
type RoomInvite struct {
	Room string `json:"room"`
	Name string `json:"name"`
	Key  []byte `json:"key"`
	// Add is the hash of the inviter's add operation in the room's
	// membership log, which the invitee's join names.
	Add []byte `json:"add,omitempty"`
}

func checkInvite(inv *RoomInvite) error {
	switch {
	case inv == nil:
		return fmt.Errorf("invite without a room")
	case chat.CheckInvitedRoomID(inv.Room) != nil:
		return fmt.Errorf("invite with a bad room id: %w", chat.CheckInvitedRoomID(inv.Room))
	case len(inv.Key) != 32:
		return fmt.Errorf("invite with a bad room key")
	case len(inv.Add) != 0 && len(inv.Add) != 32:
		return fmt.Errorf("invite with a bad add operation")
	}
	return chat.CheckRoomName(inv.Name)
}

// dmAck answers one DM frame after the receiver committed it.
type dmAck struct {
	ID    string `json:"id"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Profile is what a node tells its colleagues about itself, plus the
// colleagues it knows, so an office split over subnets still connects.
type Profile struct {
	Name       string `json:"name"`
	Status     string `json:"status"`
	StatusText string `json:"status_text"`
	Version    int64  `json:"version"` // grows with every change; stale pushes are ignored
	// Clock is the sender's wall clock when it pushed, in Unix
	// milliseconds: how far colleagues' clocks differ (hallway doctor).
	Clock int64       `json:"clock,omitempty"`
	Known []KnownPeer `json:"known,omitempty"`
}

// KnownPeer is a colleague's id and dialable addresses as another peer saw them.
type KnownPeer struct {
	ID    string   `json:"id"`
	Addrs []string `json:"addrs"`

	// id is what ID decodes to, kept by DecodeProfile, which decodes it
	// to check it: an office arriving introduces every colleague to
	// every other, and decoding each introduction twice was a tenth of
	// what receiving a profile cost.
	id peer.ID
}

// PeerID returns the colleague's id, as DecodeProfile checked it; a
// KnownPeer built otherwise is decoded here.
func (k KnownPeer) PeerID() (peer.ID, error) {
	if k.id != "" {
		return k.id, nil
	}
	id, err := peer.Decode(k.ID)
	if err != nil {
		return "", fmt.Errorf("known peer: %w", err)
	}
	return id, nil
}

// Multiaddrs parses the addresses, keeping those that parse. DecodeProfile
// leaves them as text: most introductions an office arriving together
// brings are of colleagues connected already, whose addresses go unread,
// and parsing them was most of what decoding a profile cost.
func (k KnownPeer) Multiaddrs() []ma.Multiaddr { return ParseAddrs(k.Addrs) }

// ParseAddrs parses addresses kept as text, leaving out those that do not
// parse: an address a colleague gave is a hint, and one bad hint must not
// cost the others.
func ParseAddrs(ss []string) []ma.Multiaddr {
	var out []ma.Multiaddr
	for _, s := range ss {
		if a, err := ma.NewMultiaddr(s); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// ValidID reports whether s is an acceptable message id: short, printable ASCII.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// DecodeDM parses and validates one DM frame.
func DecodeDM(b []byte) (DM, error) {
	var m DM
	if err := json.Unmarshal(b, &m); err != nil {
		return DM{}, fmt.Errorf("%w: dm: %v", ErrBadFrame, err)
	}
	if !ValidID(m.ID) {
		return DM{}, fmt.Errorf("%w: dm: bad id", ErrBadFrame)
	}
	kind, _ := chat.KindFromDM(m.Kind)
	if kind.HasRef() {
		if m.Ref == nil {
			return DM{}, fmt.Errorf("%w: dm: a %s names no message", ErrBadFrame, kind)
		}
		if err := chat.CheckRef(chat.MessageRef(*m.Ref)); err != nil {
			return DM{}, fmt.Errorf("%w: dm: %v", ErrBadFrame, err)
		}
		if _, err := peer.Decode(m.Ref.From); err != nil {
			return DM{}, fmt.Errorf("%w: dm: ref author: %v", ErrBadFrame, err)
		}
		if err := chat.CheckAmendText(kind, m.Text); err != nil {
			return DM{}, fmt.Errorf("%w: dm: %v", ErrBadFrame, err)
		}
	} else if err := chat.CheckText(m.Text); err != nil {
		return DM{}, fmt.Errorf("%w: dm: %v", ErrBadFrame, err)
	}
	if m.SentAt <= 0 {
		return DM{}, fmt.Errorf("%w: dm: bad time", ErrBadFrame)
	}
	if len(m.Sig) != 0 && len(m.Sig) != dmSigLen {
		return DM{}, fmt.Errorf("%w: dm: signature of %d bytes", ErrBadFrame, len(m.Sig))
	}
	var kerr error
	if !kind.HasRef() {
		m.Ref = nil
	}
	switch kind {
	case chat.KindInvite:
		kerr = checkInvite(m.Invite)
		m.File, m.FileStatus, m.RoomKey = nil, nil, nil
	case chat.KindFile:
		kerr = CheckFileOffer(m.File)
		m.Invite, m.FileStatus, m.RoomKey = nil, nil, nil
	case chat.KindFileStatus:
		if m.FileStatus == nil || !ValidID(m.FileStatus.ID) || len(m.FileStatus.Reason) > 1024 {
			kerr = fmt.Errorf("bad file status")
		}
		m.Invite, m.File, m.RoomKey = nil, nil, nil
	case chat.KindRoomKey:
		kerr = checkRoomKey(m.RoomKey)
		m.Invite, m.File, m.FileStatus = nil, nil, nil
	case chat.KindReply, chat.KindEdit, chat.KindDelete, chat.KindReact, chat.KindUnreact, chat.KindRead:
		m.Invite, m.File, m.FileStatus, m.RoomKey = nil, nil, nil, nil
	default:
		m.Kind, m.Invite, m.File, m.FileStatus, m.RoomKey = "", nil, nil, nil, nil
	}
	if kerr != nil {
		return DM{}, fmt.Errorf("%w: dm: %v", ErrBadFrame, kerr)
	}
	return m, nil
}

// DecodeProfile parses and validates a profile frame. Known peers with bad
// ids, or with no addresses, too many or one too long, are dropped rather
// than failing the whole profile; their addresses are parsed only when
// asked for (KnownPeer.Multiaddrs).
func DecodeProfile(b []byte) (Profile, error) {
	var p Profile
	if err := json.Unmarshal(b, &p); err != nil {
		return Profile{}, fmt.Errorf("%w: profile: %v", ErrBadFrame, err)
	}
	if err := chat.CheckProfileFields(p.Name, p.Status, p.StatusText); err != nil {
		return Profile{}, fmt.Errorf("%w: profile: %v", ErrBadFrame, err)
	}
	if p.Version <= 0 {
		return Profile{}, fmt.Errorf("%w: profile: bad version", ErrBadFrame)
	}
	if len(p.Known) > maxKnownPeers {
		return Profile{}, fmt.Errorf("%w: profile: %d known peers, at most %d", ErrBadFrame, len(p.Known), maxKnownPeers)
	}
	known := p.Known[:0]
	for _, k := range p.Known {
		if len(k.Addrs) == 0 || len(k.Addrs) > maxAddrsPerPeer || slices.ContainsFunc(k.Addrs, func(a string) bool { return len(a) > maxAddrLen }) {
			continue
		}
		id, err := peer.Decode(k.ID)
		if err != nil {
			continue
		}
		known = append(known, KnownPeer{ID: k.ID, Addrs: k.Addrs, id: id})
	}
	p.Known = known
	return p, nil
}
