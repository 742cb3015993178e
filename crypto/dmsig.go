package crypto

// A direct message travels end to end inside a Noise session, which
// authenticates it to the recipient but proves nothing to anyone else. So
// that a message can later be shown to a third party (an export for the
// records) as written by its author, the author also signs it. The signed
// bytes, version 1:
//
//	"hallway-dm-sig-v1"   domain
//	uvarint n, n bytes    message id
//	uvarint n, n bytes    author peer ID bytes
//	uvarint n, n bytes    recipient peer ID bytes
//	8 bytes               sent-at, unix milliseconds, big-endian two's complement
//	uvarint n, n bytes    kind: "" (text), "invite", "file", "file_status", "reply",
//	                      "edit", "delete", "react" or "unreact"
//	uvarint n, n bytes    text, UTF-8
//	1 byte                attachment: 0 none, 1 invite, 2 file, 3 file status, 4 ref
//	then, for an invite:       room id, room name (each uvarint-prefixed),
//	                           32 bytes RoomKeyHash of the room key
//	      for a file:          offer id, name (prefixed), 8 bytes size,
//	                           8 bytes file count, 1 byte folder (0 or 1),
//	                           content hash (prefixed)
//	      for a file status:   offer id, state, reason (each prefixed)
//	4 for a ref (a reply, an edit, a delete or a reaction): the named
//	  message's author peer ID bytes and its id (each prefixed)
//
// An invitation is signed over a hash of its room key rather than the key,
// so that proving the invitation never requires disclosing the key.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	ic "github.com/libp2p/go-libp2p/core/crypto"
)

const (
	dmSigDomain      = "hallway-dm-sig-v1"
	roomKeyHashLabel = "hallway-room-key-hash-v1"
	// DMSigLen is the length of a DM signature (Ed25519).
	DMSigLen = 64
)

// DMContent is everything a DM signature covers.
type DMContent struct {
	ID        string
	Author    []byte // the author's peer ID bytes
	Recipient []byte // the recipient's peer ID bytes
	SentAt    int64  // unix milliseconds, author's clock
	Kind      string
	Text      string
	// At most one attachment is set.
	Invite *DMInvite
	File   *DMFile
	Status *DMFileStatus
	Ref    *DMRef
}

// DMRef names the message a reply, an edit, a delete or a reaction is
// about, as signed.
type DMRef struct {
	Author []byte // its author's peer ID bytes
	ID     string
}

// DMInvite is a room invitation as signed: the key by its hash only.
type DMInvite struct {
	Room    string
	Name    string
	KeyHash [32]byte // RoomKeyHash of the room key
}

// DMFile is a file offer as signed.
type DMFile struct {
	ID     string
	Name   string
	Size   int64
	Files  int64
	Folder bool
	Hash   string
}

// DMFileStatus is an answer to a file offer as signed.
type DMFileStatus struct {
	ID     string
	State  string
	Reason string
}

// RoomKeyHash commits to a room key without revealing it.
func RoomKeyHash(key []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(roomKeyHashLabel))
	h.Write(key)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// SignedBytes returns the bytes a DM signature covers (see the top of
// this file).
func (c *DMContent) SignedBytes() []byte {
	out := make([]byte, 0, len(dmSigDomain)+64+len(c.Author)+len(c.Recipient)+len(c.Text)+len(c.ID)+32)
	out = append(out, dmSigDomain...)
	out = appendPrefixed(out, []byte(c.ID))
	out = appendPrefixed(out, c.Author)
	out = appendPrefixed(out, c.Recipient)
	out = binary.BigEndian.AppendUint64(out, uint64(c.SentAt))
	out = appendPrefixed(out, []byte(c.Kind))
	out = appendPrefixed(out, []byte(c.Text))
	switch {
	case c.Invite != nil:
		out = append(out, 1)
		out = appendPrefixed(out, []byte(c.Invite.Room))
		out = appendPrefixed(out, []byte(c.Invite.Name))
		out = append(out, c.Invite.KeyHash[:]...)
	case c.File != nil:
		out = append(out, 2)
		out = appendPrefixed(out, []byte(c.File.ID))
		out = appendPrefixed(out, []byte(c.File.Name))
		out = binary.BigEndian.AppendUint64(out, uint64(c.File.Size))
		out = binary.BigEndian.AppendUint64(out, uint64(c.File.Files))
		folder := byte(0)
		if c.File.Folder {
			folder = 1
		}
		out = append(out, folder)
		out = appendPrefixed(out, []byte(c.File.Hash))
	case c.Status != nil:
		out = append(out, 3)
		out = appendPrefixed(out, []byte(c.Status.ID))
		out = appendPrefixed(out, []byte(c.Status.State))
		out = appendPrefixed(out, []byte(c.Status.Reason))
	case c.Ref != nil:
		out = append(out, 4)
		out = appendPrefixed(out, c.Ref.Author)
		out = appendPrefixed(out, []byte(c.Ref.ID))
	default:
		out = append(out, 0)
	}
	return out
}

func (c *DMContent) check() error {
	n := 0
	for _, set := range []bool{c.Invite != nil, c.File != nil, c.Status != nil, c.Ref != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errors.New("more than one attachment")
	}
	return nil
}

// SignDM signs c with priv, whose peer ID must be c.Author.
func SignDM(priv ic.PrivKey, c *DMContent) ([]byte, error) {
	if priv == nil {
		return nil, errors.New("sign dm: no signing key")
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("sign dm: %w", err)
	}
	id, err := ed25519PeerID(priv.GetPublic())
	if err != nil {
		return nil, fmt.Errorf("sign dm: %w", err)
	}
	if !bytes.Equal(id, c.Author) {
		return nil, errors.New("sign dm: author is not the peer ID of the signing key")
	}
	sig, err := priv.Sign(c.SignedBytes())
	if err != nil {
		return nil, fmt.Errorf("sign dm: %w", err)
	}
	return sig, nil
}

// VerifyDM checks that sig is c.Author's signature over c. The key is
// taken from the author's peer ID itself (an Ed25519 peer ID contains its
// public key), so no one can present another key for an author.
func VerifyDM(c *DMContent, sig []byte) error {
	if len(sig) != DMSigLen {
		return fmt.Errorf("verify dm: signature has %d bytes, want %d", len(sig), DMSigLen)
	}
	if err := c.check(); err != nil {
		return fmt.Errorf("verify dm: %w", err)
	}
	pub, err := PublicKeyOfPeerID(c.Author)
	if err != nil {
		return fmt.Errorf("verify dm: %w", err)
	}
	ok, err := pub.Verify(c.SignedBytes(), sig)
	if err != nil {
		return fmt.Errorf("verify dm: %w", err)
	}
	if !ok {
		return errors.New("verify dm: bad signature")
	}
	return nil
}

// PublicKeyOfPeerID returns the Ed25519 key inlined in a peer ID (its raw
// bytes), refusing any other kind of peer ID.
func PublicKeyOfPeerID(id []byte) (ic.PubKey, error) {
	// Multihash of code 0x00 (identity), the length, then the marshalled key.
	if len(id) < 2 || id[0] != 0x00 || int(id[1]) != len(id)-2 {
		return nil, errors.New("peer ID does not carry its public key")
	}
	pub, err := ic.UnmarshalPublicKey(id[2:])
	if err != nil {
		return nil, fmt.Errorf("peer ID key: %w", err)
	}
	again, err := ed25519PeerID(pub)
	if err != nil {
		return nil, fmt.Errorf("peer ID key: %w", err)
	}
	if !bytes.Equal(again, id) {
		return nil, errors.New("peer ID key: not in its canonical form")
	}
	return pub, nil
}
