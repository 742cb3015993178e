package crypto

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"hallway/chat"

	"golang.org/x/crypto/chacha20poly1305"
)

const (
	roomIDRandomBytes = 16 // 128 bits: ids made on different machines never collide
	maxRoomIDLen      = chat.MaxRoomIDBytes

	generalRoomPrefix   = "general-"
	generalRoomIDBytes  = 6 // 12 hex characters
	generalRoomIDLabel  = "room general id"
	generalRoomKeyLabel = "room general key"
	// openWorkspaceSeed stands in for the workspace key of an open LAN
	// workspace. It is public on purpose: an open workspace has no secret
	// to derive from, and every Hallway must find the same general room.
	openWorkspaceSeed = "hallway open workspace general room v1"

	syncProofInfo = "hallway room sync proof v1"
)

// RoomKey is the secret shared by the members of one room. It seals every
// message of the room and proves membership to peers serving its history.
type RoomKey [32]byte

// NewRoomKey returns a fresh random room key.
func NewRoomKey() (RoomKey, error) {
	var k RoomKey
	if _, err := rand.Read(k[:]); err != nil {
		return RoomKey{}, fmt.Errorf("new room key: %w", err)
	}
	return k, nil
}

// String keeps the secret out of logs when a key is printed by accident.
func (k RoomKey) String() string {
	return "RoomKey(redacted)"
}

// NewRoomID returns a random room id: 26 lower-case Crockford base32
// characters, which chat.ValidRoomID accepts and which survive being typed into
// a URL, a file name or a command line unchanged.
func NewRoomID() (string, error) {
	var b [roomIDRandomBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new room id: %w", err)
	}
	return strings.ToLower(encodeCrockford(b[:])), nil
}

// GeneralRoom returns the id and key of the workspace's default room, which
// every peer joins by itself without an invitation. Both are derived from
// the workspace key, so the room is private to the workspace and peers
// agree on it without talking.
//
// With ws == nil (an open LAN workspace) both derive from a constant
// written in this source file: anyone on the LAN, Hallway user or not, can
// read the general room. That is by design, since an open workspace has no
// secret to keep it from them; the room key then only serves to make open
// and keyed rooms share one code path.
func GeneralRoom(ws *WorkspaceKey) (id string, key RoomKey) {
	base := WorkspaceKey(sha256.Sum256([]byte(openWorkspaceSeed)))
	if ws != nil {
		base = *ws
	}
	idBytes := base.DeriveKey(generalRoomIDLabel)
	return generalRoomPrefix + hex.EncodeToString(idBytes[:generalRoomIDBytes]),
		RoomKey(base.DeriveKey(generalRoomKeyLabel))
}

// SyncProof proves to the peer responder that requester knows k, so that
// only members can fetch a room's history. Both peer IDs (raw peer.ID
// bytes) are bound in: a proof overheard by or sent to one peer is useless
// to any other requester and at any other responder.
func (k RoomKey) SyncProof(roomID string, requester, responder []byte) [32]byte {
	mac := hmac.New(sha256.New, hkdfSHA256(k[:], syncProofInfo, sha256.Size))
	// Length prefixes keep ("ab", "c") and ("a", "bc") from sharing a proof.
	var buf []byte
	for _, field := range [][]byte{[]byte(roomID), requester, responder} {
		buf = binary.AppendUvarint(buf[:0], uint64(len(field)))
		mac.Write(buf)
		mac.Write(field)
	}
	var out [32]byte
	mac.Sum(out[:0])
	return out
}

// CheckSyncProof reports whether proof is SyncProof(roomID, requester,
// responder) under k. The comparison takes constant time, so a prober
// learns nothing from how long a rejection takes.
func (k RoomKey) CheckSyncProof(roomID string, requester, responder []byte, proof []byte) bool {
	want := k.SyncProof(roomID, requester, responder)
	return hmac.Equal(want[:], proof)
}

// messageAEAD returns the cipher that seals the room's envelopes. Its key
// is derived rather than k itself so that no HMAC and cipher ever share a
// key.
func (k RoomKey) messageAEAD() (cipher.AEAD, error) {
	aead, err := chacha20poly1305.NewX(hkdfSHA256(k[:], roomMessageInfo, chacha20poly1305.KeySize))
	if err != nil {
		return nil, fmt.Errorf("room cipher: %w", err)
	}
	return aead, nil
}
