package crypto

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	ic "github.com/libp2p/go-libp2p/core/crypto"
)

// maxIdentityFileSize bounds what we read from an identity file. A
// marshalled Ed25519 key is 68 bytes; anything far larger is not ours.
const maxIdentityFileSize = 4096

// LoadOrCreateIdentity returns the node's long-term Ed25519 key stored at
// path, creating and saving a new one (mode 0600) when path does not exist.
// created reports whether a new key was made, so callers can tell the user
// that their fingerprint is new.
//
// An existing file that other users could access is refused rather than
// silently tightened: whoever could read it may already hold a copy of the
// key, and the user should know.
func LoadOrCreateIdentity(path string) (key ic.PrivKey, created bool, err error) {
	f, err := os.Open(path)
	switch {
	case err == nil:
		defer f.Close()
		key, err := loadIdentity(path, f)
		return key, false, err
	case errors.Is(err, fs.ErrNotExist):
		key, err := createIdentity(path)
		return key, err == nil, err
	default:
		return nil, false, fmt.Errorf("load identity %s: %w", path, err)
	}
}

// loadIdentity checks the already opened file rather than the path so the
// mode we check belongs to the bytes we read.
func loadIdentity(path string, f *os.File) (ic.PrivKey, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("load identity %s: %w", path, err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("load identity %s: is a directory, want a key file", path)
	}
	// Windows reports synthetic permission bits, so the check would refuse
	// every file there; access is governed by ACLs instead.
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("load identity %s: file is accessible to other users (mode %04o); run: chmod 600 %s",
			path, info.Mode().Perm(), path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxIdentityFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load identity %s: %w", path, err)
	}
	if len(data) > maxIdentityFileSize {
		return nil, fmt.Errorf("load identity %s: file is larger than %d bytes, not a key file", path, maxIdentityFileSize)
	}
	key, err := ic.UnmarshalPrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("load identity %s: not a valid private key file: %w", path, err)
	}
	if _, ok := key.(*ic.Ed25519PrivateKey); !ok {
		return nil, fmt.Errorf("load identity %s: key type is %v, want Ed25519", path, key.Type())
	}
	return key, nil
}

func createIdentity(path string) (ic.PrivKey, error) {
	key, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("create identity %s: generate key: %w", path, err)
	}
	data, err := ic.MarshalPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("create identity %s: marshal key: %w", path, err)
	}
	// First run usually means the config directory does not exist yet;
	// 0700 keeps the key's directory as private as the key.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create identity %s: %w", path, err)
	}
	if err := WriteFileAtomic(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("create identity: %w", err)
	}
	return key, nil
}

// maxInlineKeyLen is the longest marshalled public key that libp2p puts
// whole into a peer ID (an identity multihash) instead of hashing it.
const maxInlineKeyLen = 42

// ed25519PeerID returns the raw bytes of the libp2p peer ID of pub, the
// form peers name each other by on the wire. It is computed here rather
// than with the peer package to keep this package's dependencies to key
// handling; tests compare it with peer.IDFromPublicKey. Only Ed25519 keys
// are accepted because Hallway identities are Ed25519, and their short
// marshalled form is always inlined.
func ed25519PeerID(pub ic.PubKey) ([]byte, error) {
	if k, ok := pub.(*ic.Ed25519PublicKey); !ok || k == nil {
		return nil, fmt.Errorf("key type %T is not Ed25519", pub)
	}
	m, err := ic.MarshalPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("marshal public key: %w", err)
	}
	if len(m) > maxInlineKeyLen {
		return nil, fmt.Errorf("marshalled key of %d bytes is too long to inline", len(m))
	}
	// Multihash: code 0x00 (identity), then the digest length, then the
	// digest, both as one-byte uvarints since they are below 0x80.
	return append([]byte{0x00, byte(len(m))}, m...), nil
}
