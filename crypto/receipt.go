package crypto

// A receipt is what a member of a room tells the other members it holds
// and has read: per author, the highest seq it holds without a hole and,
// when it shares read positions, the highest seq it has read. It travels
// on the room's gossip and in sync answers next to envelopes, never as a
// message. Encoding:
//
//	0xA1                  frame marker: no envelope version is 0xA1
//	uvarint n, n bytes    room id, 1..64 bytes, chat.RoomIDShape
//	uvarint n, n bytes    member peer ID, 1..64 bytes
//	8 bytes               at: the member's clock, unix ms, big-endian, >= 1
//	24 bytes              XChaCha20-Poly1305 nonce
//	uvarint n, n bytes    sealed content, 16..MaxReceiptBytes
//	uvarint n, n bytes    Ed25519 signature, exactly 64 bytes
//
// The signature covers "hallway-room-receipt-v1" and everything before its
// own length. The content is sealed under a key derived from the room key
// (its own HKDF label, so a receipt never opens as a message nor the
// reverse); the associated data binds room, member and at. Content:
//
//	1 byte                flags: bit 0 set when read positions are shared
//	uvarint count         0..MaxReceiptAuthors
//	per author, ascending by peer ID bytes, no repeats:
//	  uvarint n, n bytes  author peer ID, 1..64 bytes
//	  uvarint             held: the highest seq held with none missing below
//	  uvarint             read (only with bit 0): the highest seq read
//
// Every uvarint is in its shortest form, so each receipt has one encoding.

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"

	"hallway/chat"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	// ReceiptMarker is a receipt frame's first byte.
	ReceiptMarker = 0xA1
	// MaxReceiptAuthors caps the authors one receipt speaks of.
	MaxReceiptAuthors = 512
	// MaxReceiptBytes caps a whole receipt frame.
	MaxReceiptBytes = 32 << 10

	receiptSigDomain = "hallway-room-receipt-v1"
	receiptADDomain  = "hallway-room-receipt-body-v1"
	receiptKeyInfo   = "hallway room receipt key v1"
	receiptFlagRead  = 1
)

// ReceiptHead is what a member says of one author.
type ReceiptHead struct {
	Author []byte // the author's peer ID bytes
	Held   uint64 // the highest seq held with none missing below
	Read   uint64 // the highest seq read; 0 when read positions are not shared
}

// Receipt is one member's receipt in a room, opened.
type Receipt struct {
	Room   string
	Member []byte // the member's peer ID bytes
	At     int64  // the member's clock, unix ms: a later receipt replaces an earlier one
	// ReadShared says whether Heads carry read positions.
	ReadShared bool
	Heads      []ReceiptHead
}

// SealReceipt seals r's content under the room key and signs the frame
// with priv, whose peer ID must be r.Member.
func SealReceipt(key RoomKey, priv ic.PrivKey, r Receipt) ([]byte, error) {
	switch {
	case !chat.RoomIDShape(r.Room):
		return nil, errors.New("seal receipt: invalid room id")
	case r.At <= 0:
		return nil, errors.New("seal receipt: at must be positive")
	case len(r.Heads) > MaxReceiptAuthors:
		return nil, fmt.Errorf("seal receipt: %d authors exceeds %d", len(r.Heads), MaxReceiptAuthors)
	case priv == nil:
		return nil, errors.New("seal receipt: no signing key")
	}
	id, err := ed25519PeerID(priv.GetPublic())
	if err != nil {
		return nil, fmt.Errorf("seal receipt: %w", err)
	}
	if !bytes.Equal(id, r.Member) {
		return nil, errors.New("seal receipt: member is not the peer ID of the signing key")
	}
	content, err := r.content()
	if err != nil {
		return nil, fmt.Errorf("seal receipt: %w", err)
	}
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("seal receipt: nonce: %w", err)
	}
	aead, err := key.receiptAEAD()
	if err != nil {
		return nil, fmt.Errorf("seal receipt: %w", err)
	}
	out := receiptHeader(r.Room, r.Member, r.At)
	out = append(out, nonce[:]...)
	out = appendPrefixed(out, aead.Seal(nil, nonce[:], content, receiptAD(r.Room, r.Member, r.At)))
	sig, err := priv.Sign(append([]byte(receiptSigDomain), out...))
	if err != nil {
		return nil, fmt.Errorf("seal receipt: sign: %w", err)
	}
	out = appendPrefixed(out, sig)
	if len(out) > MaxReceiptBytes {
		return nil, fmt.Errorf("seal receipt: %d bytes exceeds %d", len(out), MaxReceiptBytes)
	}
	return out, nil
}

// content encodes the sealed part, checking the authors are in order.
func (r Receipt) content() ([]byte, error) {
	flags := byte(0)
	if r.ReadShared {
		flags = receiptFlagRead
	}
	out := []byte{flags}
	out = binary.AppendUvarint(out, uint64(len(r.Heads)))
	for i, h := range r.Heads {
		if len(h.Author) == 0 || len(h.Author) > maxAuthorLen {
			return nil, fmt.Errorf("author %d: %d bytes is outside 1..%d", i, len(h.Author), maxAuthorLen)
		}
		if i > 0 && bytes.Compare(r.Heads[i-1].Author, h.Author) >= 0 {
			return nil, errors.New("authors are not in ascending order")
		}
		out = appendPrefixed(out, h.Author)
		out = binary.AppendUvarint(out, h.Held)
		if r.ReadShared {
			out = binary.AppendUvarint(out, h.Read)
		}
	}
	return out, nil
}

func receiptHeader(room string, member []byte, at int64) []byte {
	out := []byte{ReceiptMarker}
	out = appendPrefixed(out, []byte(room))
	out = appendPrefixed(out, member)
	return binary.BigEndian.AppendUint64(out, uint64(at))
}

func receiptAD(room string, member []byte, at int64) []byte {
	out := append([]byte(receiptADDomain), receiptHeader(room, member, at)...)
	return out
}

func (k RoomKey) receiptAEAD() (cipher.AEAD, error) {
	aead, err := chacha20poly1305.NewX(hkdfSHA256(k[:], receiptKeyInfo, chacha20poly1305.KeySize))
	if err != nil {
		return nil, fmt.Errorf("receipt cipher: %w", err)
	}
	return aead, nil
}

// IsReceipt reports whether a frame from a room's gossip or a sync answer
// is a receipt rather than an envelope.
func IsReceipt(frame []byte) bool { return len(frame) > 0 && frame[0] == ReceiptMarker }

// SealedReceipt is a receipt frame decoded but not yet opened: enough to
// check who signed it and to keep it, without the room key.
type SealedReceipt struct {
	Room   string
	Member []byte
	At     int64
	nonce  []byte
	sealed []byte
	signed []byte // domain and everything the signature covers
	sig    []byte
}

// UnmarshalReceipt decodes a receipt frame from an untrusted peer. It
// checks neither signature nor content: see Verify and Open.
func UnmarshalReceipt(b []byte) (*SealedReceipt, error) {
	if len(b) > MaxReceiptBytes {
		return nil, fmt.Errorf("unmarshal receipt: %d bytes exceeds %d", len(b), MaxReceiptBytes)
	}
	s, err := decodeReceipt(&wireReader{b: b}, b)
	if err != nil {
		return nil, fmt.Errorf("unmarshal receipt: %w", err)
	}
	return s, nil
}

func decodeReceipt(r *wireReader, all []byte) (*SealedReceipt, error) {
	marker, err := r.u8("marker")
	if err != nil {
		return nil, err
	}
	if marker != ReceiptMarker {
		return nil, fmt.Errorf("marker %#x is not a receipt's", marker)
	}
	s := new(SealedReceipt)
	room, err := r.prefixed(1, maxRoomIDLen, "room")
	if err != nil {
		return nil, err
	}
	if s.Room = string(room); !chat.RoomIDShape(s.Room) {
		return nil, errors.New("room: invalid room id")
	}
	member, err := r.prefixed(1, maxAuthorLen, "member")
	if err != nil {
		return nil, err
	}
	s.Member = bytes.Clone(member)
	at, err := r.u64("at")
	if err != nil {
		return nil, err
	}
	if at == 0 || at > 1<<63-1 {
		return nil, errors.New("at: out of range")
	}
	s.At = int64(at)
	nonce, err := r.fixed(24, "nonce")
	if err != nil {
		return nil, err
	}
	s.nonce = bytes.Clone(nonce)
	sealed, err := r.prefixed(minSealedLen, MaxReceiptBytes, "sealed content")
	if err != nil {
		return nil, err
	}
	s.sealed = bytes.Clone(sealed)
	s.signed = append([]byte(receiptSigDomain), all[:len(all)-len(r.b)]...)
	sig, err := r.prefixed(envelopeSigLen, envelopeSigLen, "signature")
	if err != nil {
		return nil, err
	}
	s.sig = bytes.Clone(sig)
	if !r.empty() {
		return nil, fmt.Errorf("%d trailing bytes", len(r.b))
	}
	return s, nil
}

// Verify checks that pub is the member's key and that it signed s.
func (s *SealedReceipt) Verify(pub ic.PubKey) error {
	if pub == nil {
		return errors.New("verify receipt: no public key")
	}
	id, err := ed25519PeerID(pub)
	if err != nil {
		return fmt.Errorf("verify receipt: %w", err)
	}
	if !bytes.Equal(id, s.Member) {
		return errors.New("verify receipt: key does not belong to the member")
	}
	signaturesVerified.Add(1)
	ok, err := pub.Verify(s.signed, s.sig)
	if err != nil {
		return fmt.Errorf("verify receipt: %w", err)
	}
	if !ok {
		return errors.New("verify receipt: bad signature")
	}
	return nil
}

// Open decrypts and decodes the content with the room key. It does not
// check the signature: call Verify too.
func (s *SealedReceipt) Open(key RoomKey) (Receipt, error) {
	aead, err := key.receiptAEAD()
	if err != nil {
		return Receipt{}, fmt.Errorf("open receipt: %w", err)
	}
	plain, err := aead.Open(nil, s.nonce, s.sealed, receiptAD(s.Room, s.Member, s.At))
	if err != nil {
		return Receipt{}, errors.New("open receipt: wrong room key or tampered receipt")
	}
	out := Receipt{Room: s.Room, Member: bytes.Clone(s.Member), At: s.At}
	if err := decodeReceiptContent(&wireReader{b: plain}, &out); err != nil {
		return Receipt{}, fmt.Errorf("open receipt: %w", err)
	}
	return out, nil
}

func decodeReceiptContent(r *wireReader, out *Receipt) error {
	flags, err := r.u8("flags")
	if err != nil {
		return err
	}
	if flags&^receiptFlagRead != 0 {
		return fmt.Errorf("flags %#x: unknown bits", flags)
	}
	out.ReadShared = flags&receiptFlagRead != 0
	n, err := r.uvarint("count")
	if err != nil {
		return err
	}
	if n > MaxReceiptAuthors {
		return fmt.Errorf("%d authors exceeds %d", n, MaxReceiptAuthors)
	}
	for i := range n {
		author, err := r.prefixed(1, maxAuthorLen, "author")
		if err != nil {
			return err
		}
		if i > 0 && bytes.Compare(out.Heads[i-1].Author, author) >= 0 {
			return errors.New("authors are not in ascending order")
		}
		h := ReceiptHead{Author: bytes.Clone(author)}
		if h.Held, err = r.uvarint("held"); err != nil {
			return err
		}
		if out.ReadShared {
			if h.Read, err = r.uvarint("read"); err != nil {
				return err
			}
		}
		out.Heads = append(out.Heads, h)
	}
	if !r.empty() {
		return fmt.Errorf("%d trailing bytes", len(r.b))
	}
	return nil
}
