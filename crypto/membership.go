package crypto

// A membership operation is a change to a room's member list, signed by
// its actor: it travels as the text of a room body of its kind (BodyCreate,
// BodyAdd, BodyJoin, BodyLeave, BodyRemove, BodyRole), sealed and signed
// like any room message. Encoding, version 1:
//
//	0x01                  format version
//	1 byte                kind: the body kind it travels under
//	uvarint n, n bytes    target peer id (BodyAdd, BodyRemove, BodyRole;
//	                      empty for a BodyAdd that authorises a room code);
//	                      for BodyCreate the seed of the room id (OwnedRoomID)
//	1 byte                role: RoleAdmin or RoleMember for BodyRole, else 0
//	uvarint               cutoff: for BodyRemove the highest seq of the
//	                      target's the actor had seen, else 0
//	uvarint n             parents, 0..MaxOpParents
//	n × 32 bytes          the hashes (OpHash) of the membership operations
//	                      the actor had seen as heads, strictly increasing
//	uvarint n, n bytes    BodyPolicy only: the policy document, 1..MaxPolicyBytes;
//	                      BodyAck only: the SHA-256 of the notice acknowledged;
//	                      BodyAdd of a peer, optionally (absent when empty):
//	                      the admin's membership statement (Statement);
//	                      BodyAdd naming nobody, optionally: the terms of
//	                      a workspace pass (PassTerms), else it authorises
//	                      room codes; BodyJoin, optionally: the proof of
//	                      the pass it enters by (PassProof)
//
// Uvarints are in their shortest form and parents sorted, so each
// operation has one encoding.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Membership body kinds.
const (
	BodyCreate = BodyKind(chat.BodyCreate) // the author created the room and owns it
	BodyAdd    = BodyKind(chat.BodyAdd)    // an owner or admin invited a colleague (or authorised a code)
	BodyRemove = BodyKind(chat.BodyRemove) // an owner or admin removed a member
	BodyRole   = BodyKind(chat.BodyRole)   // the owner made a member an admin or a member again
	// BodyPolicy is a version of the workspace policy, set by an admin of
	// the workspace room (its document is the operation's payload).
	BodyPolicy = BodyKind(chat.BodyPolicy)
	// BodyAck is a member's acknowledgement of the workspace's
	// acceptable-use notice (its payload: the notice's SHA-256).
	BodyAck = BodyKind(chat.BodyAck)
)

// MaxPolicyBytes caps a policy document.
const MaxPolicyBytes = 32 << 10

// Role is a member's standing in a room.
type Role byte

// The roles. RoleOwner is never granted by an operation: the creator is it.
const (
	RoleOwner  Role = 1
	RoleAdmin  Role = 2
	RoleMember Role = 3
)

// String is the role's name in the API.
func (r Role) String() string {
	switch r {
	case RoleOwner:
		return "owner"
	case RoleAdmin:
		return "admin"
	case RoleMember:
		return "member"
	}
	return ""
}

const (
	// MaxOpParents caps the heads one operation names.
	MaxOpParents = 16
	// maxPeerIDBytes caps a target peer id (an Ed25519 identity is 38).
	maxPeerIDBytes = 64

	memberOpVersion = 1
)

// OpHash names a membership operation: the SHA-256 of its signed envelope.
type OpHash [32]byte

// HashOp is the hash of the envelope raw that carries an operation.
func HashOp(raw []byte) OpHash { return sha256.Sum256(raw) }

// NewOwnedRoomID makes the id of a room created by owner (its peer id
// bytes): a hash of the owner and a random seed, which the creation
// operation carries, so that nobody else can claim to have created it.
func NewOwnedRoomID(owner []byte) (id string, seed []byte, err error) {
	seed = make([]byte, roomIDRandomBytes)
	if _, err := rand.Read(seed); err != nil {
		return "", nil, fmt.Errorf("new room id: %w", err)
	}
	return OwnedRoomID(owner, seed), seed, nil
}

// OwnedRoomID is the id of the room owner created with seed.
func OwnedRoomID(owner, seed []byte) string {
	h := sha256.New()
	h.Write([]byte("hallway owned room id\x00"))
	h.Write(binary.AppendUvarint(nil, uint64(len(owner))))
	h.Write(owner)
	h.Write(seed)
	return strings.ToLower(encodeCrockford(h.Sum(nil)[:roomIDRandomBytes]))
}

// MemberOp is one membership operation.
type MemberOp struct {
	Kind    BodyKind
	Target  []byte // peer id bytes
	Role    Role
	Cutoff  uint64
	Parents []OpHash
	// Payload is a BodyPolicy's document.
	Payload []byte
}

// IsMemberOpKind reports whether a body of kind k carries an operation
// (a join or leave may also be a plain one from before operations).
func IsMemberOpKind(k BodyKind) bool {
	switch k {
	case BodyCreate, BodyAdd, BodyJoin, BodyLeave, BodyRemove, BodyRole, BodyPolicy, BodyAck:
		return true
	}
	return false
}

// Validate reports why o is not a well-formed operation.
func (o MemberOp) Validate() error {
	if !IsMemberOpKind(o.Kind) {
		return fmt.Errorf("member op: kind %d is not a membership kind", o.Kind)
	}
	switch o.Kind {
	case BodyRemove, BodyRole:
		if len(o.Target) == 0 {
			return errors.New("member op: no target")
		}
	case BodyCreate:
		if len(o.Target) != roomIDRandomBytes {
			return fmt.Errorf("member op: a creation carries a %d-byte seed", roomIDRandomBytes)
		}
	case BodyJoin:
		if len(o.Target) != 0 && len(o.Target) != len(CodeHash{}) {
			return errors.New("member op: a join names no target, or the hash of the room code it is by")
		}
	case BodyLeave, BodyPolicy, BodyAck:
		if len(o.Target) != 0 {
			return fmt.Errorf("member op: kind %d names no target", o.Kind)
		}
	}
	switch {
	case o.Kind == BodyPolicy:
		if len(o.Payload) == 0 || len(o.Payload) > MaxPolicyBytes {
			return fmt.Errorf("member op: a policy of %d bytes is outside 1..%d", len(o.Payload), MaxPolicyBytes)
		}
	case o.Kind == BodyAck:
		if len(o.Payload) != sha256.Size {
			return fmt.Errorf("member op: an acknowledgement names a %d-byte hash", sha256.Size)
		}
	case o.Kind == BodyAdd && len(o.Payload) != 0 && len(o.Target) == 0:
		if _, err := ParsePassTerms(o.Payload); err != nil {
			return fmt.Errorf("member op: %w", err)
		}
	case o.Kind == BodyAdd && len(o.Payload) != 0:
		if _, err := ParseStatement(o.Payload); err != nil {
			return fmt.Errorf("member op: %w", err)
		}
	case o.Kind == BodyJoin && len(o.Payload) != 0:
		if len(o.Target) != 0 {
			return errors.New("member op: a join by a room code carries no pass")
		}
		if _, err := ParsePassProof(o.Payload); err != nil {
			return fmt.Errorf("member op: %w", err)
		}
	case len(o.Payload) != 0:
		return errors.New("member op: only a policy or an acknowledgement carries a payload")
	}
	if len(o.Target) > maxPeerIDBytes {
		return fmt.Errorf("member op: target of %d bytes exceeds %d", len(o.Target), maxPeerIDBytes)
	}
	if o.Kind == BodyRole {
		if o.Role != RoleAdmin && o.Role != RoleMember {
			return fmt.Errorf("member op: role %d cannot be granted", o.Role)
		}
	} else if o.Role != 0 {
		return errors.New("member op: only a role change carries a role")
	}
	if o.Kind != BodyRemove && o.Cutoff != 0 {
		return errors.New("member op: only a removal carries a cutoff")
	}
	if o.Kind == BodyCreate && len(o.Parents) != 0 {
		return errors.New("member op: a creation has no parents")
	}
	if len(o.Parents) > MaxOpParents {
		return fmt.Errorf("member op: %d parents exceed %d", len(o.Parents), MaxOpParents)
	}
	for i := 1; i < len(o.Parents); i++ {
		if bytes.Compare(o.Parents[i-1][:], o.Parents[i][:]) >= 0 {
			return errors.New("member op: parents are not strictly increasing")
		}
	}
	return nil
}

// Marshal encodes o; call Validate first.
func (o MemberOp) Marshal() []byte {
	out := make([]byte, 0, 4+prefixedLen(len(o.Target))+binary.MaxVarintLen64+len(o.Parents)*32)
	out = append(out, memberOpVersion, byte(o.Kind))
	out = appendPrefixed(out, o.Target)
	out = append(out, byte(o.Role))
	out = binary.AppendUvarint(out, o.Cutoff)
	out = binary.AppendUvarint(out, uint64(len(o.Parents)))
	for _, p := range o.Parents {
		out = append(out, p[:]...)
	}
	if o.Kind == BodyPolicy || o.Kind == BodyAck || (o.Kind == BodyAdd || o.Kind == BodyJoin) && len(o.Payload) > 0 {
		out = appendPrefixed(out, o.Payload)
	}
	return out
}

// Code is the hash of the room code a join is by; ok false for any other
// operation and for a join by invitation.
func (o MemberOp) Code() (h CodeHash, ok bool) {
	if o.Kind != BodyJoin || len(o.Target) != len(h) {
		return h, false
	}
	copy(h[:], o.Target)
	return h, true
}

// Describe is the text a member list's history shows for o, after its
// actor's name ("" for a join or leave, which show as such).
func (o MemberOp) Describe() string {
	target := "someone"
	if id, err := peer.IDFromBytes(o.Target); err == nil {
		target = id.String()
	}
	switch o.Kind {
	case BodyCreate:
		return "created the room"
	case BodyAdd:
		if t, err := ParsePassTerms(o.Payload); err == nil && len(o.Target) == 0 {
			return fmt.Sprintf("opened pass %s for %d newcomer(s)", t.Key.Short(), t.Uses)
		}
		if len(o.Target) == 0 {
			return "let room-code holders in"
		}
		return "invited " + target
	case BodyJoin:
		if _, ok := o.Code(); ok {
			return "joined with a room code"
		}
		if p, err := ParsePassProof(o.Payload); err == nil {
			return "joined with pass " + p.Key.Short()
		}
	case BodyRemove:
		if len(o.Target) == len(PassKey{}) {
			return "closed pass " + PassKey(o.Target).Short()
		}
		return "removed " + target
	case BodyRole:
		if o.Role == RoleAdmin {
			return "made " + target + " an admin"
		}
		return "made " + target + " a member"
	case BodyPolicy:
		return "set the workspace policy"
	case BodyAck:
		return "acknowledged the acceptable-use notice"
	}
	return ""
}

// DescribeBody is what a room body shows as its text: a membership
// operation's description, else the body's text.
func DescribeBody(b RoomBody) string {
	if IsRefKind(b.Kind) {
		r, err := UnmarshalRefBody(b.Kind, []byte(b.Text))
		if err != nil {
			return ""
		}
		return r.Text
	}
	if !IsMemberOpKind(b.Kind) {
		return b.Text
	}
	if b.Text == "" {
		return ""
	}
	o, err := UnmarshalMemberOp(b.Kind, []byte(b.Text))
	if err != nil {
		return ""
	}
	return o.Describe()
}

// UnmarshalMemberOp decodes and validates an operation carried by a body
// of kind k.
func UnmarshalMemberOp(k BodyKind, p []byte) (MemberOp, error) {
	o, err := decodeMemberOp(&wireReader{b: p})
	if err != nil {
		return MemberOp{}, fmt.Errorf("unmarshal member op: %w", err)
	}
	if o.Kind != k {
		return MemberOp{}, fmt.Errorf("unmarshal member op: kind %d travels under body kind %d", o.Kind, k)
	}
	if err := o.Validate(); err != nil {
		return MemberOp{}, fmt.Errorf("unmarshal %w", err)
	}
	return o, nil
}

func decodeMemberOp(r *wireReader) (MemberOp, error) {
	version, err := r.u8("version")
	if err != nil {
		return MemberOp{}, err
	}
	if version != memberOpVersion {
		return MemberOp{}, fmt.Errorf("version %d is not supported", version)
	}
	kind, err := r.u8("kind")
	if err != nil {
		return MemberOp{}, err
	}
	target, err := r.prefixed(0, maxPeerIDBytes, "target")
	if err != nil {
		return MemberOp{}, err
	}
	role, err := r.u8("role")
	if err != nil {
		return MemberOp{}, err
	}
	cutoff, err := r.uvarint("cutoff")
	if err != nil {
		return MemberOp{}, err
	}
	n, err := r.uvarint("parents")
	if err != nil {
		return MemberOp{}, err
	}
	if n > MaxOpParents {
		return MemberOp{}, fmt.Errorf("%d parents exceed %d", n, MaxOpParents)
	}
	o := MemberOp{Kind: BodyKind(kind), Role: Role(role), Cutoff: cutoff}
	if len(target) > 0 {
		o.Target = bytes.Clone(target)
	}
	for range n {
		h, err := r.fixed(32, "parent")
		if err != nil {
			return MemberOp{}, err
		}
		o.Parents = append(o.Parents, OpHash(h))
	}
	if o.Kind == BodyPolicy || o.Kind == BodyAck {
		doc, err := r.prefixed(1, MaxPolicyBytes, "payload")
		if err != nil {
			return MemberOp{}, err
		}
		o.Payload = bytes.Clone(doc)
	}
	if o.Kind == BodyAdd && !r.empty() {
		// A membership statement, or a pass's terms (an add naming nobody).
		st, err := r.prefixed(1, max(MaxStatementBytes, maxPassTermsBytes), "statement")
		if err != nil {
			return MemberOp{}, err
		}
		o.Payload = bytes.Clone(st)
	}
	if o.Kind == BodyJoin && !r.empty() {
		pass, err := r.prefixed(1, passProofBytes, "pass")
		if err != nil {
			return MemberOp{}, err
		}
		o.Payload = bytes.Clone(pass)
	}
	if !r.empty() {
		return MemberOp{}, fmt.Errorf("%d trailing bytes", len(r.b))
	}
	return o, nil
}
