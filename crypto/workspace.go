package crypto

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// OpenWorkspaceTag is announced by peers that run without a workspace key,
// so that keyed and open peers do not waste time dialling each other.
const OpenWorkspaceTag = "open"

const (
	swarmKeyHeader   = "/key/swarm/psk/1.0.0/"
	swarmKeyEncoding = "/base16/"
	// maxSwarmKeyFile is far above the 95 bytes of a real swarm.key; it only
	// stops us from reading an unrelated large file into memory.
	maxSwarmKeyFile = 1024

	workspaceTagInfo = "hallway workspace tag v1"
	workspaceTagLen  = 8 // bytes, 16 hex characters
	deriveKeyPrefix  = "hallway "
)

// WorkspaceKey is the secret shared by everyone in a private workspace. It
// is the libp2p private-network pre-shared key, so peers without it cannot
// even complete a connection.
type WorkspaceKey [32]byte

// NewWorkspaceKey returns a fresh random workspace key.
func NewWorkspaceKey() (WorkspaceKey, error) {
	var k WorkspaceKey
	if _, err := rand.Read(k[:]); err != nil {
		return WorkspaceKey{}, fmt.Errorf("new workspace key: %w", err)
	}
	return k, nil
}

// String keeps the secret out of logs when a key is printed by accident.
func (k WorkspaceKey) String() string {
	return "WorkspaceKey(tag " + k.Tag() + ")"
}

// PSK returns the raw 32 key bytes, as libp2p.PrivateNetwork expects them.
func (k WorkspaceKey) PSK() []byte {
	return k[:]
}

// SwarmKey encodes k as a swarm.key file in the format kubo and other
// libp2p tools read, so a workspace key can be shared with them.
func (k WorkspaceKey) SwarmKey() []byte {
	return []byte(swarmKeyHeader + "\n" + swarmKeyEncoding + "\n" + hex.EncodeToString(k[:]) + "\n")
}

// ParseSwarmKey decodes a swarm.key file written by SwarmKey or by kubo.
// Windows line endings and trailing whitespace are tolerated because such
// files get copied through editors and chat; only the /base16/ encoding is
// accepted. Error messages never quote the input, which may hold the key.
func ParseSwarmKey(b []byte) (WorkspaceKey, error) {
	if len(b) > maxSwarmKeyFile {
		return WorkspaceKey{}, fmt.Errorf("parse swarm key: %d bytes is too long for a swarm key", len(b))
	}
	lines := strings.Split(strings.TrimRight(string(b), " \t\r\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " \t\r")
	}
	if lines[0] != swarmKeyHeader {
		return WorkspaceKey{}, fmt.Errorf("parse swarm key: first line must be %q", swarmKeyHeader)
	}
	if len(lines) < 2 {
		return WorkspaceKey{}, fmt.Errorf("parse swarm key: missing encoding line %q", swarmKeyEncoding)
	}
	if lines[1] != swarmKeyEncoding {
		return WorkspaceKey{}, fmt.Errorf("parse swarm key: second line must be %q (other encodings are not supported)", swarmKeyEncoding)
	}
	if len(lines) < 3 {
		return WorkspaceKey{}, errors.New("parse swarm key: missing key line")
	}
	if len(lines) > 3 {
		return WorkspaceKey{}, errors.New("parse swarm key: unexpected lines after the key")
	}
	var k WorkspaceKey
	if len(lines[2]) != hex.EncodedLen(len(k)) {
		return WorkspaceKey{}, fmt.Errorf("parse swarm key: key line has %d characters, want %d hex digits",
			len(lines[2]), hex.EncodedLen(len(k)))
	}
	if _, err := hex.Decode(k[:], []byte(lines[2])); err != nil {
		// hex errors quote the offending byte; that is one character of a
		// broken key, not worth hiding, and it tells the user what to fix.
		return WorkspaceKey{}, fmt.Errorf("parse swarm key: key line is not hex: %w", err)
	}
	return k, nil
}

// LoadWorkspaceKey reads a swarm.key file. A missing file is not an error:
// ok is false and the node runs an open workspace.
func LoadWorkspaceKey(path string) (k WorkspaceKey, ok bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return WorkspaceKey{}, false, nil
	}
	if err != nil {
		return WorkspaceKey{}, false, fmt.Errorf("load workspace key %s: %w", path, err)
	}
	defer f.Close()
	// One byte over the limit is enough for ParseSwarmKey to reject it.
	data, err := io.ReadAll(io.LimitReader(f, maxSwarmKeyFile+1))
	if err != nil {
		return WorkspaceKey{}, false, fmt.Errorf("load workspace key %s: %w", path, err)
	}
	k, err = ParseSwarmKey(data)
	if err != nil {
		return WorkspaceKey{}, false, fmt.Errorf("load workspace key %s: %w", path, err)
	}
	return k, true, nil
}

// WriteWorkspaceKey saves k as a swarm.key file readable only by its owner.
func WriteWorkspaceKey(path string, k WorkspaceKey) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write workspace key %s: %w", path, err)
	}
	if err := WriteFileAtomic(path, k.SwarmKey(), 0o600); err != nil {
		return fmt.Errorf("write workspace key: %w", err)
	}
	return nil
}

// Tag returns a public label for the workspace, announced over mDNS so
// peers only dial others in the same workspace. It is a one-way HKDF
// output, so it identifies the workspace without revealing the key.
func (k WorkspaceKey) Tag() string {
	return hex.EncodeToString(k.derive(workspaceTagInfo, workspaceTagLen))
}

// DeriveKey returns a 32-byte subkey for one purpose, named by label, so
// that no two uses of the workspace key share key material.
func (k WorkspaceKey) DeriveKey(label string) [32]byte {
	var out [32]byte
	copy(out[:], k.derive(deriveKeyPrefix+label, len(out)))
	return out
}

func (k WorkspaceKey) derive(info string, n int) []byte {
	return hkdfSHA256(k[:], info, n)
}

// hkdfSHA256 expands secret into n bytes for the purpose named by info.
// Every key in this package is derived through it, so distinct info
// strings are all that keeps their uses apart.
func hkdfSHA256(secret []byte, info string, n int) []byte {
	out, err := hkdf.Key(sha256.New, secret, nil, info, n)
	if err != nil {
		// hkdf.Key only fails for lengths above 255*32 bytes, which no
		// caller here can ask for.
		panic(fmt.Sprintf("hkdf: %v", err))
	}
	return out
}
