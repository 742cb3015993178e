package crypto

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
)

// A workspace pass lets a newcomer in while no admin is online. An admin
// makes a fresh Ed25519 key pair, signs its public half into the
// workspace room's log with the pass's terms (how many may enter with
// it, until when: PassTerms, the payload of an add that names nobody),
// and hands the private half to the newcomers in the pass code
// (PassCode), with the workspace key. A newcomer enters by signing, with
// the pass's key, its own peer id, the workspace room and the time
// (PassProof); it puts the proof in its join, so every member checks it
// against the terms in the log, counts the entries in the log's order,
// and refuses the join of one too many or too late (core/rooms).

// Bounds of a pass.
const (
	// MaxPassUses caps the entries one pass allows.
	MaxPassUses = 10000
	// MaxPassLifetimeMillis caps how long a pass lasts: 90 days.
	MaxPassLifetimeMillis = 90 * 24 * 60 * 60 * 1000
	passTermsVersion      = 1 // unsigned terms, from before terms were signed
	passTermsSigned       = 2 // terms signed by the pass's own key
	maxPassTermsBytes     = 1 + ed25519.PublicKeySize + 2*binary.MaxVarintLen64 + ed25519.SignatureSize
	passProofVersion      = 1
	passProofBytes        = 1 + ed25519.PublicKeySize + 8 + ed25519.SignatureSize
	passDomain            = "hallway workspace pass v1\x00"
	passTermsDomain       = "hallway workspace pass terms v1\x00"
)

// PassKey names a pass: the public half of its key.
type PassKey [ed25519.PublicKeySize]byte

// PassTerms are what an admin signs into the log for a pass.
type PassTerms struct {
	Key PassKey
	// Uses is how many colleagues may enter with it: 1..MaxPassUses.
	Uses uint32
	// Expires ends it (unix milliseconds).
	Expires int64
	// Sig is the pass key's own signature of the terms in their room
	// (Sign); zero for terms from before they were signed. Only the
	// admin who made the key can make it, so a newcomer holding the
	// code can tell the genuine terms from any a stranger makes up.
	Sig [ed25519.SignatureSize]byte
}

// Sign signs t for room with the pass's private key.
func (t *PassTerms) Sign(priv ed25519.PrivateKey, room string) {
	copy(t.Sig[:], ed25519.Sign(priv, t.message(room)))
}

// VerifyOpening reports whether t are terms of room signed by the pass's
// own key (unsigned terms never are).
func (t PassTerms) VerifyOpening(room string) bool {
	return t.Sig != [ed25519.SignatureSize]byte{} && ed25519.Verify(t.Key[:], t.message(room), t.Sig[:])
}

func (t PassTerms) message(room string) []byte {
	out := append([]byte(passTermsDomain), room...)
	out = append(out, 0)
	out = append(out, t.Key[:]...)
	out = binary.BigEndian.AppendUint32(out, t.Uses)
	return binary.BigEndian.AppendUint64(out, uint64(t.Expires))
}

// Marshal encodes t: the version (2 when signed, 1 when not), the key,
// uvarint uses, uvarint expiry, then the signature when signed.
func (t PassTerms) Marshal() []byte {
	signed := t.Sig != [ed25519.SignatureSize]byte{}
	out := make([]byte, 0, maxPassTermsBytes)
	if signed {
		out = append(out, passTermsSigned)
	} else {
		out = append(out, passTermsVersion)
	}
	out = append(out, t.Key[:]...)
	out = binary.AppendUvarint(out, uint64(t.Uses))
	out = binary.AppendUvarint(out, uint64(t.Expires))
	if signed {
		out = append(out, t.Sig[:]...)
	}
	return out
}

// ParsePassTerms decodes terms, refusing anything but their one encoding.
func ParsePassTerms(b []byte) (PassTerms, error) {
	if len(b) > maxPassTermsBytes {
		return PassTerms{}, fmt.Errorf("pass terms: %d bytes", len(b))
	}
	r := &wireReader{b: b}
	v, err := r.u8("version")
	if err != nil {
		return PassTerms{}, fmt.Errorf("pass terms: %w", err)
	}
	if v != passTermsVersion && v != passTermsSigned {
		return PassTerms{}, fmt.Errorf("pass terms: version %d is not supported", v)
	}
	key, err := r.fixed(ed25519.PublicKeySize, "key")
	if err != nil {
		return PassTerms{}, fmt.Errorf("pass terms: %w", err)
	}
	uses, err := r.uvarint("uses")
	if err != nil {
		return PassTerms{}, fmt.Errorf("pass terms: %w", err)
	}
	exp, err := r.uvarint("expiry")
	if err != nil {
		return PassTerms{}, fmt.Errorf("pass terms: %w", err)
	}
	var sig [ed25519.SignatureSize]byte
	if v == passTermsSigned {
		s, err := r.fixed(ed25519.SignatureSize, "signature")
		if err != nil {
			return PassTerms{}, fmt.Errorf("pass terms: %w", err)
		}
		if sig = [ed25519.SignatureSize]byte(s); sig == [ed25519.SignatureSize]byte{} {
			return PassTerms{}, errors.New("pass terms: an empty signature")
		}
	}
	switch {
	case !r.empty():
		return PassTerms{}, errors.New("pass terms: trailing bytes")
	case uses == 0 || uses > MaxPassUses:
		return PassTerms{}, fmt.Errorf("pass terms: %d uses is outside 1..%d", uses, MaxPassUses)
	case exp == 0 || exp > 1<<62:
		return PassTerms{}, errors.New("pass terms: expiry out of range")
	}
	return PassTerms{Key: PassKey(key), Uses: uint32(uses), Expires: int64(exp), Sig: sig}, nil
}

// PassProof is a newcomer's proof that it holds a pass: the pass key's
// signature of the workspace room, the newcomer's peer id and the time.
type PassProof struct {
	Key PassKey
	At  int64 // unix milliseconds, by the newcomer's clock
	Sig [ed25519.SignatureSize]byte
}

// NewPassProof signs a proof for newcomer with the pass's private key.
func NewPassProof(priv ed25519.PrivateKey, room string, newcomer []byte, at int64) PassProof {
	p := PassProof{Key: PassKey(priv.Public().(ed25519.PublicKey)), At: at}
	copy(p.Sig[:], ed25519.Sign(priv, passMessage(room, newcomer, at)))
	return p
}

// Verify reports whether p proves, for newcomer in room, a holder of the
// pass's private key.
func (p PassProof) Verify(room string, newcomer []byte) bool {
	return p.At > 0 && ed25519.Verify(p.Key[:], passMessage(room, newcomer, p.At), p.Sig[:])
}

func passMessage(room string, newcomer []byte, at int64) []byte {
	out := append([]byte(passDomain), room...)
	out = append(out, 0)
	out = appendPrefixed(out, newcomer)
	return binary.BigEndian.AppendUint64(out, uint64(at))
}

// Marshal encodes p: version 1, the key, the time (8 bytes, big-endian),
// the signature.
func (p PassProof) Marshal() []byte {
	out := make([]byte, 0, passProofBytes)
	out = append(out, passProofVersion)
	out = append(out, p.Key[:]...)
	out = binary.BigEndian.AppendUint64(out, uint64(p.At))
	return append(out, p.Sig[:]...)
}

// ParsePassProof decodes a proof (it does not verify it).
func ParsePassProof(b []byte) (PassProof, error) {
	if len(b) != passProofBytes || b[0] != passProofVersion {
		return PassProof{}, fmt.Errorf("pass proof: %d bytes, not version %d", len(b), passProofVersion)
	}
	var p PassProof
	copy(p.Key[:], b[1:])
	at := binary.BigEndian.Uint64(b[1+len(p.Key):])
	if at == 0 || at > 1<<62 {
		return PassProof{}, errors.New("pass proof: time out of range")
	}
	p.At = int64(at)
	copy(p.Sig[:], b[1+len(p.Key)+8:])
	return p, nil
}
