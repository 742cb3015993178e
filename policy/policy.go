package policy

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits of a document, so a hostile one costs little to read.
const (
	MaxDocumentBytes = 32 << 10
	MaxNoticeBytes   = 8 << 10
	maxHolds         = 256
	maxHoldReason    = 500
	maxExtensions    = 64
	maxExtensionLen  = 16
	maxRoomRules     = 256
	maxRoomIDLen     = 64
	// MaxRetentionDays bounds a retention period: 100 years.
	MaxRetentionDays = 36500
)

// Who may make rooms.
const (
	RoomsByEveryone = "everyone"
	RoomsByAdmins   = "admins"
)

// Who lets members in.
const (
	// AdmitByKey: whoever holds the workspace key joins (the default).
	AdmitByKey = "key"
	// AdmitByAdmins: only those an admin admitted by their key are
	// members; every node refuses the connections of anyone else.
	AdmitByAdmins = "admins"
)

// ErrInvalid marks a document that does not parse or breaks a rule.
var ErrInvalid = errors.New("invalid workspace policy")

// Document is one version of a workspace's policy. The zero value of each
// field is the permissive default: a new workspace restricts nothing until
// an admin says so.
type Document struct {
	// Version grows by one with each change; a node keeps the highest.
	Version uint64 `json:"version"`
	Files   Files  `json:"files"`
	// Retention: 0 days keeps forever.
	Retention Retention `json:"retention"`
	// OpenLANForbidden: no node of the workspace may run in the open LAN
	// workspace.
	OpenLANForbidden bool `json:"open_lan_forbidden,omitempty"`
	// RoomCreation is RoomsByEveryone ("" too) or RoomsByAdmins.
	RoomCreation string `json:"room_creation,omitempty"`
	// Admission is AdmitByKey ("" too) or AdmitByAdmins.
	Admission string `json:"admission,omitempty"`
	// Notice is the acceptable-use notice each member acknowledges; ""
	// asks for none.
	Notice string `json:"notice,omitempty"`
	// Holds are the legal holds in force, by scope (HoldWorkspace or a
	// room id) with their reason: nothing in a held scope is deleted on
	// any node, by retention or otherwise.
	Holds map[string]string `json:"holds,omitempty"`
	// AllowNets are address ranges beyond the LAN's private ones where
	// colleagues may be (a VPN's, a site's own), canonical and sorted:
	// every node dials and accepts them too.
	AllowNets []string `json:"allow_nets,omitempty"`
	// NetworkEpoch is the #general epoch whose key the workspace's network
	// key derives from since an admin last rotated it; 0: the network key
	// is the workspace key. Only a rotation sets it (WithNetworkKey), with
	// NetworkCommit, that key's commitment in hex: a concurrent re-key may
	// have given the epoch a second key.
	NetworkEpoch  uint64 `json:"network_epoch,omitempty"`
	NetworkCommit string `json:"network_commit,omitempty"`
	// NetworkBy is the rotating admin's peer id and NetworkSig its
	// signature of crypto.RotationMessage: what a member who was away
	// checks when a colleague hands it the key.
	NetworkBy  string `json:"network_by,omitempty"`
	NetworkSig []byte `json:"network_sig,omitempty"`
}

// Bounds of a rotation's signature: an Ed25519 peer id and signature
// take far less.
const (
	maxNetworkBy  = 128
	maxNetworkSig = 256
)

// HoldWorkspace is the scope of a hold on the whole workspace.
const HoldWorkspace = "workspace"

// Files is what the workspace allows of file transfer.
type Files struct {
	Disabled bool `json:"disabled,omitempty"`
	// MaxSize per transfer in bytes; 0: no limit.
	MaxSize int64 `json:"max_size,omitempty"`
	// Allowed extensions (".pdf"); empty: any not blocked.
	Allowed []string `json:"allowed,omitempty"`
	Blocked []string `json:"blocked,omitempty"`
	// AutoAcceptMax caps what a member's node may accept without asking;
	// 0: no cap beyond the member's own setting.
	AutoAcceptMax int64 `json:"auto_accept_max,omitempty"`
}

// Retention is how long history is kept.
type Retention struct {
	WorkspaceDays int            `json:"workspace_days,omitempty"`
	RoomDays      map[string]int `json:"room_days,omitempty"` // by room id
}

// Parse reads a document as an admin's node wrote it: strict JSON (no
// unknown fields, nothing after it), within every limit.
func Parse(b []byte) (Document, error) {
	if len(b) > MaxDocumentBytes {
		return Document{}, fmt.Errorf("%w: %d bytes, more than %d", ErrInvalid, len(b), MaxDocumentBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d Document
	if err := dec.Decode(&d); err != nil {
		return Document{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if dec.More() {
		return Document{}, fmt.Errorf("%w: data after the document", ErrInvalid)
	}
	if err := d.Check(); err != nil {
		return Document{}, err
	}
	return d, nil
}

// Marshal encodes d canonically: the same document always gives the same
// bytes (fields in order, room ids sorted, extensions as checked).
func (d Document) Marshal() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("policy: marshal a checked document: %v", err))
	}
	return b
}

// Check reports the first rule d breaks.
func (d Document) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
	f := d.Files
	if f.MaxSize < 0 || f.AutoAcceptMax < 0 {
		return bad("negative file size")
	}
	for _, list := range [][]string{f.Allowed, f.Blocked} {
		if len(list) > maxExtensions {
			return bad("more than %d file types", maxExtensions)
		}
		for _, e := range list {
			if NormalizeExtension(e) != e || e == "" {
				return bad("file type %q is not like .pdf", e)
			}
		}
		if !slices.IsSorted(list) || len(slices.Compact(slices.Clone(list))) != len(list) {
			return bad("file types are not sorted and distinct")
		}
	}
	r := d.Retention
	if r.WorkspaceDays < 0 || r.WorkspaceDays > MaxRetentionDays {
		return bad("retention of %d days", r.WorkspaceDays)
	}
	if len(r.RoomDays) > maxRoomRules {
		return bad("more than %d room retention rules", maxRoomRules)
	}
	for room, days := range r.RoomDays {
		if !validRoomID(room) {
			return bad("room id %q", room)
		}
		if days < 0 || days > MaxRetentionDays {
			return bad("retention of %d days for room %s", days, room)
		}
	}
	if d.Admission != "" && d.Admission != AdmitByKey && d.Admission != AdmitByAdmins {
		return bad("admission %q is neither %q nor %q", d.Admission, AdmitByKey, AdmitByAdmins)
	}
	if d.RoomCreation != "" && d.RoomCreation != RoomsByEveryone && d.RoomCreation != RoomsByAdmins {
		return bad("room creation %q is neither %q nor %q", d.RoomCreation, RoomsByEveryone, RoomsByAdmins)
	}
	if len(d.Notice) > MaxNoticeBytes || !utf8.ValidString(d.Notice) {
		return bad("notice of %d bytes or not UTF-8", len(d.Notice))
	}
	if len(d.Holds) > maxHolds {
		return bad("more than %d legal holds", maxHolds)
	}
	for scope, reason := range d.Holds {
		if !validRoomID(scope) && scope != HoldWorkspace {
			return bad("hold scope %q is neither %q nor a room id", scope, HoldWorkspace)
		}
		if len(reason) > maxHoldReason || !utf8.ValidString(reason) {
			return bad("hold reason of %d bytes or not UTF-8", len(reason))
		}
	}
	if err := d.checkAllowNets(); err != nil {
		return err
	}
	if c, err := hex.DecodeString(d.NetworkCommit); (d.NetworkEpoch > 0) != (err == nil && len(c) == 32) ||
		d.NetworkEpoch == 0 && d.NetworkCommit != "" {
		return bad("network key epoch %d with commitment %q", d.NetworkEpoch, d.NetworkCommit)
	}
	if len(d.NetworkBy) > maxNetworkBy || len(d.NetworkSig) > maxNetworkSig || (d.NetworkEpoch == 0) != (d.NetworkBy == "") {
		return bad("network key signed by %d bytes of peer id, %d of signature", len(d.NetworkBy), len(d.NetworkSig))
	}
	return nil
}

// NormalizeExtension writes a file type as documents keep it: lower case,
// one leading dot, no spaces; "" for nothing usable.
func NormalizeExtension(e string) string {
	e = strings.ToLower(strings.TrimSpace(e))
	e = strings.TrimLeft(e, ".")
	if e == "" || len(e) > maxExtensionLen || strings.ContainsAny(e, " \t\r\n/\\") || !utf8.ValidString(e) {
		return ""
	}
	return "." + e
}

// Newer reports whether version a (with the hash of the operation that
// carries it) replaces version b: the higher version, and between two
// admins' edits of one version, the lower hash, so that every node keeps
// the same one whatever order they arrive in.
func Newer(a uint64, aHash []byte, b uint64, bHash []byte) bool {
	if a != b {
		return a > b
	}
	return bytes.Compare(aHash, bHash) < 0
}

// RoomRetention is the retention for a room: its own rule, or the
// workspace's.
func (d Document) RoomRetention(room string) int {
	if days, ok := d.Retention.RoomDays[room]; ok {
		return days
	}
	return d.Retention.WorkspaceDays
}

// RoomRules lists the rooms with a retention of their own, sorted.
func (d Document) RoomRules() []string {
	return slices.Sorted(maps.Keys(d.Retention.RoomDays))
}

// validRoomID is what a room id in a document may be.
func validRoomID(room string) bool {
	return room != "" && len(room) <= maxRoomIDLen && utf8.ValidString(room) && !strings.ContainsAny(room, " \t\r\n")
}

// HeldScopes lists the scopes under a hold, sorted.
func (d Document) HeldScopes() []string {
	return slices.Sorted(maps.Keys(d.Holds))
}
