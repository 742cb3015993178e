package crypto

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// What members keep of a room code, and how a joiner proves it holds one.
//
// Members never keep a code's token, only its hash (CodeHash), bound to the
// room. The issuer seals a record of the code into the room (BodyCodeIssued)
// so every member's node can redeem it; BodyCodeRevoked withdraws one code
// or all of them; a join by code names the hash (BodyJoin's text) so the
// members count its uses. Records are ASCII in the body's text:
//
//	issued:  "v1 <hash, 64 hex> <expires at, unix ms> <uses, 0 = any number>"
//	revoked: "v1 <hash, 64 hex>" or "v1 all"
//	join:    "" (not by code) or "v1 <hash, 64 hex>"
//
// A joiner sends a member (over the member's authenticated, encrypted
// stream) the code's lookup id and a proof keyed by the hash and bound to
// the room and both peers: a non-member it asked by mistake learns neither
// the token nor the hash, and cannot replay the proof to anyone.

// Limits of a code.
const (
	// MaxCodeLifetime caps how long a code works after it is issued.
	MaxCodeLifetime = 30 * 24 * time.Hour
	// DefaultCodeLifetime is how long a code works unless told otherwise.
	DefaultCodeLifetime = 24 * time.Hour
	// MaxCodeUses caps the uses a code may allow.
	MaxCodeUses = 10_000

	codeRecordVersion = "v1"
	codeHashDomain    = "hallway room code hash\x00"
	codeLookupDomain  = "hallway room code lookup\x00"
	codeProofDomain   = "hallway room code redeem\x00"
	// maxCodeRecord bounds the text a record parser looks at.
	maxCodeRecord = 128
)

// CodeHash is a room code's token as members record it.
type CodeHash [32]byte

// CodeLookup names a code to a member without revealing its hash.
type CodeLookup [16]byte

// CodeProof shows a member that the asker holds a code.
type CodeProof [32]byte

// HashCodeToken is the hash members record of a token of room.
func HashCodeToken(room string, t CodeToken) CodeHash {
	h := sha256.New()
	h.Write([]byte(codeHashDomain))
	h.Write([]byte(room))
	h.Write([]byte{0})
	h.Write(t[:])
	var out CodeHash
	h.Sum(out[:0])
	return out
}

// String is the hash in hex, as records carry it.
func (h CodeHash) String() string { return hex.EncodeToString(h[:]) }

// Lookup is the id a joiner names the code by.
func (h CodeHash) Lookup() CodeLookup {
	sum := sha256.Sum256(append([]byte(codeLookupDomain), h[:]...))
	var out CodeLookup
	copy(out[:], sum[:])
	return out
}

// Proof is what joiner sends member to redeem the code of room.
func (h CodeHash) Proof(room string, joiner, member peer.ID) CodeProof {
	m := hmac.New(sha256.New, h[:])
	m.Write([]byte(codeProofDomain))
	for _, part := range []string{room, string(joiner), string(member)} {
		m.Write([]byte{byte(len(part))})
		m.Write([]byte(part))
	}
	var out CodeProof
	m.Sum(out[:0])
	return out
}

// CheckProof reports whether p is the proof for the code of room from
// joiner to member, in constant time.
func (h CodeHash) CheckProof(p CodeProof, room string, joiner, member peer.ID) bool {
	want := h.Proof(room, joiner, member)
	return hmac.Equal(p[:], want[:])
}

// CodeIssued is the record of a code its issuer seals into the room.
type CodeIssued struct {
	Hash      CodeHash
	ExpiresAt int64  // unix milliseconds
	Uses      uint32 // how many colleagues may join with it; 0: any number until it expires
}

// Text is the record as a body carries it.
func (c CodeIssued) Text() string {
	return fmt.Sprintf("%s %s %d %d", codeRecordVersion, c.Hash, c.ExpiresAt, c.Uses)
}

// ParseCodeIssued reads an issued record.
func ParseCodeIssued(text string) (CodeIssued, error) {
	f, err := codeFields(text, 4)
	if err != nil {
		return CodeIssued{}, fmt.Errorf("code issued: %w", err)
	}
	var c CodeIssued
	if c.Hash, err = parseCodeHash(f[1]); err != nil {
		return CodeIssued{}, fmt.Errorf("code issued: %w", err)
	}
	exp, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || exp <= 0 || strconv.FormatInt(exp, 10) != f[2] {
		return CodeIssued{}, errors.New("code issued: bad expiry")
	}
	uses, err := strconv.ParseUint(f[3], 10, 32)
	if err != nil || uses > MaxCodeUses || strconv.FormatUint(uses, 10) != f[3] {
		return CodeIssued{}, errors.New("code issued: bad uses")
	}
	c.ExpiresAt, c.Uses = exp, uint32(uses)
	return c, nil
}

// CodeRevoked is the record that withdraws one code of a room, or all.
type CodeRevoked struct {
	All  bool
	Hash CodeHash // when not All
}

// Text is the record as a body carries it.
func (c CodeRevoked) Text() string {
	if c.All {
		return codeRecordVersion + " all"
	}
	return codeRecordVersion + " " + c.Hash.String()
}

// ParseCodeRevoked reads a revoked record.
func ParseCodeRevoked(text string) (CodeRevoked, error) {
	f, err := codeFields(text, 2)
	if err != nil {
		return CodeRevoked{}, fmt.Errorf("code revoked: %w", err)
	}
	if f[1] == "all" {
		return CodeRevoked{All: true}, nil
	}
	h, err := parseCodeHash(f[1])
	if err != nil {
		return CodeRevoked{}, fmt.Errorf("code revoked: %w", err)
	}
	return CodeRevoked{Hash: h}, nil
}

// codeFields splits a record into exactly n fields separated by one space,
// the first being the version.
func codeFields(text string, n int) ([]string, error) {
	if len(text) > maxCodeRecord {
		return nil, fmt.Errorf("record of %d bytes", len(text))
	}
	f := strings.Split(text, " ")
	if len(f) != n {
		return nil, fmt.Errorf("%d fields, want %d", len(f), n)
	}
	if f[0] != codeRecordVersion {
		return nil, errors.New("unknown record version")
	}
	return f, nil
}

func parseCodeHash(s string) (CodeHash, error) {
	var h CodeHash
	if len(s) != 2*len(h) || strings.ToLower(s) != s {
		return CodeHash{}, errors.New("bad code hash")
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return CodeHash{}, errors.New("bad code hash")
	}
	return h, nil
}
