package crypto

// An envelope is one room message as it travels over gossipsub and as any
// member stores and later serves it. Encoding, version 2:
//
//	0x02                  format version
//	uvarint n, n bytes    room id, 1..64 bytes, chat.RoomIDShape
//	uvarint n, n bytes    author peer ID, 1..64 bytes
//	8 bytes               seq, big-endian, >= 1
//	8 bytes               hlc, big-endian, >= 1
//	8 bytes               key epoch, big-endian, <= MaxEpoch
//	24 bytes              XChaCha20-Poly1305 nonce
//	uvarint n, n bytes    sealed body, 16..MaxBodyBytes+16 bytes
//	uvarint n, n bytes    Ed25519 signature, exactly 64 bytes
//
// Every uvarint is encoding/binary's, in its shortest form, so each
// envelope has exactly one encoding. The signature covers
// "hallway-room-env-v2" followed by everything before the signature's own
// length; the AEAD's associated data binds room, author, seq, hlc and
// epoch. The body is sealed under the key of its epoch.
//
// Version 1, which history written before epochs holds, is the same
// without the epoch field, under the domains "hallway-room-env-v1" and
// "hallway-room-body-v1"; it decodes as epoch 0 and keeps its version, so
// its signature still verifies. Only version 2 is sealed.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"hallway/chat"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	// MaxEnvelopeBytes caps a whole encoded envelope.
	MaxEnvelopeBytes = 80 << 10
	// MaxBodyBytes caps the plaintext body sealed in an envelope.
	MaxBodyBytes = 66 << 10

	// MaxEpoch bounds a room's key epoch: a room re-keyed every second
	// for a century stays far below it, and epoch+1 never overflows.
	MaxEpoch = 1 << 40

	envelopeV1          = 1
	envelopeVersion     = 2
	envelopeSigDomainV1 = "hallway-room-env-v1"
	envelopeADDomainV1  = "hallway-room-body-v1"
	envelopeSigDomain   = "hallway-room-env-v2"
	envelopeADDomain    = "hallway-room-body-v2"
	roomMessageInfo     = "hallway room message key v1"
	maxAuthorLen        = 64
	envelopeSigLen      = 64
	envelopeIDBytes     = 16
	minSealedLen        = chacha20poly1305.Overhead
	maxSealedLen        = MaxBodyBytes + chacha20poly1305.Overhead
)

// Envelope is one sealed and signed room message. Its fields are public so
// storage can index them, but only UnmarshalEnvelope and SealEnvelope
// produce envelopes known to be well-formed.
type Envelope struct {
	Room   string // room id (chat.RoomIDShape)
	Author []byte // the author's libp2p peer ID bytes, 1..64 bytes
	Seq    uint64 // per author and room, from 1
	HLC    uint64 // the author's hybrid logical clock at send time, >= 1
	Epoch  uint64 // the room key epoch the body is sealed under, <= MaxEpoch
	Nonce  [24]byte
	Sealed []byte // XChaCha20-Poly1305 ciphertext and tag of the body
	Sig    []byte // Ed25519 signature by the author over SignedBytes
	// v1: decoded from a version 1 envelope (epoch 0, no epoch field).
	v1 bool
}

// Version is the envelope's format version: 1 for one decoded from
// history written before epochs, 2 otherwise.
func (e *Envelope) Version() int {
	if e.v1 {
		return envelopeV1
	}
	return envelopeVersion
}

// SealEnvelope encrypts body under key with a random nonce and signs the
// result with priv. author must be the peer ID of priv: an envelope whose
// signature cannot be tied to its author would be rejected by every
// member, so the mistake is reported here instead.
// key must be the key of epoch.
func SealEnvelope(key RoomKey, epoch uint64, priv ic.PrivKey, room string, author []byte, seq, hlc uint64, body []byte) (*Envelope, error) {
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("seal envelope: nonce: %w", err)
	}
	return sealEnvelopeWithNonce(key, epoch, false, priv, room, author, seq, hlc, body, nonce)
}

// SealEnvelopeV1 seals in the format written before epochs, which has
// none (epoch 0): benchmarks and compatibility tests compare with it.
func SealEnvelopeV1(key RoomKey, priv ic.PrivKey, room string, author []byte, seq, hlc uint64, body []byte) (*Envelope, error) {
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("seal envelope: nonce: %w", err)
	}
	return sealEnvelopeWithNonce(key, 0, true, priv, room, author, seq, hlc, body, nonce)
}

// sealEnvelopeWithNonce lets known-answer tests fix the one random input.
func sealEnvelopeWithNonce(key RoomKey, epoch uint64, v1 bool, priv ic.PrivKey, room string, author []byte, seq, hlc uint64, body []byte, nonce [24]byte) (*Envelope, error) {
	switch {
	case epoch > MaxEpoch:
		return nil, fmt.Errorf("seal envelope: epoch %d exceeds %d", epoch, MaxEpoch)
	case !chat.RoomIDShape(room):
		return nil, errors.New("seal envelope: invalid room id")
	case seq == 0:
		return nil, errors.New("seal envelope: seq must be at least 1")
	case hlc == 0:
		return nil, errors.New("seal envelope: hlc must be at least 1")
	case len(body) > MaxBodyBytes:
		return nil, fmt.Errorf("seal envelope: body of %d bytes exceeds %d", len(body), MaxBodyBytes)
	case priv == nil:
		return nil, errors.New("seal envelope: no signing key")
	}
	id, err := ed25519PeerID(priv.GetPublic())
	if err != nil {
		return nil, fmt.Errorf("seal envelope: %w", err)
	}
	if !bytes.Equal(id, author) {
		return nil, errors.New("seal envelope: author is not the peer ID of the signing key")
	}
	e := &Envelope{
		Room:   room,
		Author: bytes.Clone(author),
		Seq:    seq,
		HLC:    hlc,
		Epoch:  epoch,
		Nonce:  nonce,
		v1:     v1,
	}
	aead, err := key.messageAEAD()
	if err != nil {
		return nil, fmt.Errorf("seal envelope: %w", err)
	}
	e.Sealed = aead.Seal(nil, e.Nonce[:], body, e.associatedData())
	if e.Sig, err = priv.Sign(e.SignedBytes()); err != nil {
		return nil, fmt.Errorf("seal envelope: sign: %w", err)
	}
	return e, nil
}

// SignedBytes returns what the author signs: a domain string, so the
// signature cannot be passed off as one over another Hallway format,
// followed by the encoding of every field but Sig.
func (e *Envelope) SignedBytes() []byte {
	domain := envelopeSigDomain
	if e.v1 {
		domain = envelopeSigDomainV1
	}
	out := make([]byte, 0, len(domain)+e.unsignedLen())
	out = append(out, domain...)
	return e.appendUnsigned(out)
}

// Verify checks that pub is the key of e.Author and that it signed e. It
// checks the binding itself because a caller passing the key of whoever
// relayed or served the envelope would otherwise accept forgeries.
func (e *Envelope) Verify(pub ic.PubKey) error {
	if len(e.Sig) != envelopeSigLen {
		return fmt.Errorf("verify envelope: signature has %d bytes, want %d", len(e.Sig), envelopeSigLen)
	}
	if pub == nil {
		return errors.New("verify envelope: no public key")
	}
	id, err := ed25519PeerID(pub)
	if err != nil {
		return fmt.Errorf("verify envelope: %w", err)
	}
	if !bytes.Equal(id, e.Author) {
		return errors.New("verify envelope: key does not belong to the author")
	}
	signaturesVerified.Add(1)
	ok, err := pub.Verify(e.SignedBytes(), e.Sig)
	if err != nil {
		return fmt.Errorf("verify envelope: %w", err)
	}
	if !ok {
		return errors.New("verify envelope: bad signature")
	}
	return nil
}

// Open decrypts and authenticates the body. It does not check the
// signature: a member can forge a body that opens, so call Verify too.
func (e *Envelope) Open(key RoomKey) ([]byte, error) {
	if len(e.Sealed) < minSealedLen || len(e.Sealed) > maxSealedLen {
		return nil, fmt.Errorf("open envelope: sealed body of %d bytes is outside %d..%d", len(e.Sealed), minSealedLen, maxSealedLen)
	}
	aead, err := key.messageAEAD()
	if err != nil {
		return nil, fmt.Errorf("open envelope: %w", err)
	}
	body, err := aead.Open(nil, e.Nonce[:], e.Sealed, e.associatedData())
	if err != nil {
		return nil, errors.New("open envelope: wrong room key or tampered envelope")
	}
	return body, nil
}

// Marshal encodes e. It does not validate: a malformed envelope encodes to
// bytes that UnmarshalEnvelope rejects.
func (e *Envelope) Marshal() []byte {
	out := make([]byte, 0, e.unsignedLen()+prefixedLen(len(e.Sig)))
	out = e.appendUnsigned(out)
	return appendPrefixed(out, e.Sig)
}

// UnmarshalEnvelope decodes and validates the form of an envelope from an
// untrusted peer. It checks neither signature nor body: see Verify, Open.
func UnmarshalEnvelope(b []byte) (*Envelope, error) {
	if len(b) > MaxEnvelopeBytes {
		return nil, fmt.Errorf("unmarshal envelope: %d bytes exceeds %d", len(b), MaxEnvelopeBytes)
	}
	e, err := decodeEnvelope(&wireReader{b: b})
	if err != nil {
		return nil, fmt.Errorf("unmarshal envelope: %w", err)
	}
	return e, nil
}

func decodeEnvelope(r *wireReader) (*Envelope, error) {
	version, err := r.u8("version")
	if err != nil {
		return nil, err
	}
	if version != envelopeVersion && version != envelopeV1 {
		return nil, fmt.Errorf("version %d is not supported", version)
	}
	e := &Envelope{v1: version == envelopeV1}
	room, err := r.prefixed(1, maxRoomIDLen, "room")
	if err != nil {
		return nil, err
	}
	if e.Room = string(room); !chat.RoomIDShape(e.Room) {
		return nil, errors.New("room: invalid room id")
	}
	author, err := r.prefixed(1, maxAuthorLen, "author")
	if err != nil {
		return nil, err
	}
	e.Author = bytes.Clone(author)
	if e.Seq, err = r.u64("seq"); err != nil {
		return nil, err
	}
	if e.Seq == 0 {
		return nil, errors.New("seq: must be at least 1")
	}
	if e.HLC, err = r.u64("hlc"); err != nil {
		return nil, err
	}
	if e.HLC == 0 {
		return nil, errors.New("hlc: must be at least 1")
	}
	if !e.v1 {
		if e.Epoch, err = r.u64("epoch"); err != nil {
			return nil, err
		}
		if e.Epoch > MaxEpoch {
			return nil, fmt.Errorf("epoch: %d exceeds %d", e.Epoch, MaxEpoch)
		}
	}
	nonce, err := r.fixed(len(e.Nonce), "nonce")
	if err != nil {
		return nil, err
	}
	copy(e.Nonce[:], nonce)
	sealed, err := r.prefixed(minSealedLen, maxSealedLen, "sealed body")
	if err != nil {
		return nil, err
	}
	e.Sealed = bytes.Clone(sealed)
	sig, err := r.prefixed(envelopeSigLen, envelopeSigLen, "signature")
	if err != nil {
		return nil, err
	}
	e.Sig = bytes.Clone(sig)
	if !r.empty() {
		return nil, fmt.Errorf("%d trailing bytes", len(r.b))
	}
	return e, nil
}

// ID names the message for de-duplication and references. It covers only
// room, author and seq, so two different envelopes an author sent under
// one seq collide and a store can notice the equivocation. Room ids never
// contain a zero byte, and seq has a fixed width, so the input is
// unambiguous.
func (e *Envelope) ID() string {
	h := sha256.New()
	h.Write([]byte(e.Room))
	h.Write([]byte{0})
	h.Write(e.Author)
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], e.Seq)
	h.Write(seq[:])
	return hex.EncodeToString(h.Sum(nil)[:envelopeIDBytes])
}

func (e *Envelope) unsignedLen() int {
	return 1 + prefixedLen(len(e.Room)) + prefixedLen(len(e.Author)) + 8 + 8 + 8 +
		len(e.Nonce) + prefixedLen(len(e.Sealed))
}

func (e *Envelope) appendUnsigned(out []byte) []byte {
	out = append(out, byte(e.Version()))
	out = appendPrefixed(out, []byte(e.Room))
	out = appendPrefixed(out, e.Author)
	out = binary.BigEndian.AppendUint64(out, e.Seq)
	out = binary.BigEndian.AppendUint64(out, e.HLC)
	if !e.v1 {
		out = binary.BigEndian.AppendUint64(out, e.Epoch)
	}
	out = append(out, e.Nonce[:]...)
	return appendPrefixed(out, e.Sealed)
}

// associatedData binds the body to its place in the room's history, so a
// body moved to another room, author or position fails to open even for a
// caller that skipped Verify.
func (e *Envelope) associatedData() []byte {
	domain := envelopeADDomain
	if e.v1 {
		domain = envelopeADDomainV1
	}
	out := make([]byte, 0, len(domain)+prefixedLen(len(e.Room))+prefixedLen(len(e.Author))+24)
	out = append(out, domain...)
	out = appendPrefixed(out, []byte(e.Room))
	out = appendPrefixed(out, e.Author)
	out = binary.BigEndian.AppendUint64(out, e.Seq)
	out = binary.BigEndian.AppendUint64(out, e.HLC)
	if !e.v1 {
		out = binary.BigEndian.AppendUint64(out, e.Epoch)
	}
	return out
}
