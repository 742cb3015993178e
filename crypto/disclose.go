package crypto

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/chacha20poly1305"
)

// An envelope's body is sealed with XChaCha20-Poly1305 under the room's
// message key. That construction first derives, from the key and the first
// 16 bytes of the nonce, a subkey (HChaCha20) and then seals with
// ChaCha20-Poly1305 under the subkey and the last 8 bytes of the nonce. The
// subkey opens this one envelope and nothing else: every envelope has its
// own random nonce, and HChaCha20 cannot be run backwards to the room key.
//
// Handing out an envelope's subkey therefore lets someone outside the room
// (a reader of an export) decrypt that message, and with the author's
// signature over the envelope prove who wrote it, without being able to
// read any other message of the room.

// MessageKeyLen is the length of an envelope's own key.
const MessageKeyLen = chacha20.KeySize

// MessageKey returns the key that opens this envelope's body only.
func (e *Envelope) MessageKey(k RoomKey) ([MessageKeyLen]byte, error) {
	var out [MessageKeyLen]byte
	sub, err := chacha20.HChaCha20(hkdfSHA256(k[:], roomMessageInfo, chacha20poly1305.KeySize), e.Nonce[:16])
	if err != nil {
		return out, fmt.Errorf("message key: %w", err)
	}
	copy(out[:], sub)
	return out, nil
}

// OpenWithMessageKey decrypts and authenticates the body with a key from
// MessageKey. Like Open, it does not check the signature: call Verify too.
func (e *Envelope) OpenWithMessageKey(key [MessageKeyLen]byte) ([]byte, error) {
	if len(e.Sealed) < minSealedLen || len(e.Sealed) > maxSealedLen {
		return nil, fmt.Errorf("open envelope: sealed body of %d bytes is outside %d..%d", len(e.Sealed), minSealedLen, maxSealedLen)
	}
	aead, err := chacha20poly1305.New(key[:])
	if err != nil {
		return nil, fmt.Errorf("open envelope: %w", err)
	}
	var nonce [chacha20poly1305.NonceSize]byte
	copy(nonce[4:], e.Nonce[16:])
	body, err := aead.Open(nil, nonce[:], e.Sealed, e.associatedData())
	if err != nil {
		return nil, errors.New("open envelope: wrong message key or tampered envelope")
	}
	return body, nil
}
