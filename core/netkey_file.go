package core

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
)

// NetworkGraceDays is how long, after a rotation, members who were away
// are handed the new network key on the old one.
const NetworkGraceDays = 30

// The network key file (network.key) holds, once an admin rotated the
// workspace's network key, the key this node runs on and the #general
// epoch it derives from, and the older keys it still dials members who
// were away on, to hand them the new one, until each one's grace ends.
// Without the file the network key is the workspace key.
//
//	hallway network key 1
//	current EPOCH HEX
//	past UNTIL HEX        (unix seconds; at most maxPastNetworkKeys)

const (
	networkKeyHeader = "hallway network key 1"
	// networkGrace: past it, members who were away need a new invite
	// code.
	networkGrace       = NetworkGraceDays * 24 * time.Hour
	maxPastNetworkKeys = 4
	maxNetworkKeyFile  = 1024
)

// networkKeys is the network key state of a data folder.
type networkKeys struct {
	Current hcrypto.NetworkKey
	Past    []pastNetworkKey // newest first
}

// pastNetworkKey is a key members who were away may still run on.
type pastNetworkKey struct {
	Key   hcrypto.WorkspaceKey
	Until time.Time
}

// moved is the state after moving from the key in use (old, which may be
// the workspace key) to next at now.
func (n networkKeys) moved(next hcrypto.NetworkKey, old hcrypto.WorkspaceKey, now time.Time) networkKeys {
	out := networkKeys{Current: next, Past: []pastNetworkKey{{Key: old, Until: now.Add(networkGrace)}}}
	for _, p := range n.Past {
		if p.Until.After(now) && p.Key != old && p.Key != next.Key && len(out.Past) < maxPastNetworkKeys {
			out.Past = append(out.Past, p)
		}
	}
	return out
}

// rotated reports whether the folder runs on a rotated key: epochs start
// at 1, the zero state is the workspace key's.
func (n networkKeys) rotated() bool { return n.Current.Epoch > 0 }

// inGrace lists the past keys whose grace has not ended at now.
func (n networkKeys) inGrace(now time.Time) []pastNetworkKey {
	var out []pastNetworkKey
	for _, p := range n.Past {
		if p.Until.After(now) {
			out = append(out, p)
		}
	}
	return out
}

func (n networkKeys) marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\ncurrent %d %x\n", networkKeyHeader, n.Current.Epoch, n.Current.Key[:])
	for _, p := range n.Past {
		fmt.Fprintf(&b, "past %d %x\n", p.Until.Unix(), p.Key[:])
	}
	return b.Bytes()
}

// parseNetworkKeys reads what marshal wrote. Errors never quote the
// input, which holds keys.
func parseNetworkKeys(b []byte) (networkKeys, error) {
	var n networkKeys
	if len(b) > maxNetworkKeyFile {
		return n, fmt.Errorf("%d bytes is too long", len(b))
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if lines[0] != networkKeyHeader || len(lines) < 2 || len(lines) > 2+maxPastNetworkKeys {
		return n, errors.New("not a network key file")
	}
	f := strings.Split(lines[1], " ")
	if len(f) != 3 || f[0] != "current" {
		return n, errors.New("no current key")
	}
	epoch, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil || epoch == 0 || epoch > hcrypto.MaxEpoch {
		return n, errors.New("the current key's epoch is out of range")
	}
	n.Current.Epoch = epoch
	if err := parseKeyHex(f[2], &n.Current.Key); err != nil {
		return n, err
	}
	for _, l := range lines[2:] {
		f := strings.Split(l, " ")
		if len(f) != 3 || f[0] != "past" {
			return n, errors.New("a damaged past key")
		}
		until, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || until < 0 {
			return n, errors.New("a past key's grace is out of range")
		}
		p := pastNetworkKey{Until: time.Unix(until, 0)}
		if err := parseKeyHex(f[2], &p.Key); err != nil {
			return n, err
		}
		n.Past = append(n.Past, p)
	}
	return n, nil
}

func parseKeyHex(s string, k *hcrypto.WorkspaceKey) error {
	if len(s) != 2*len(k) || strings.ToLower(s) != s {
		return errors.New("a key is not 64 hex digits")
	}
	if _, err := hex.Decode(k[:], []byte(s)); err != nil {
		return errors.New("a key is not 64 hex digits")
	}
	return nil
}

// readNetworkKeys returns the data folder's network key state, ok=false
// when the workspace never rotated its network key.
func readNetworkKeys(dir string) (networkKeys, bool, error) {
	path := filepath.Join(dir, networkKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return networkKeys{}, false, nil
	}
	if err != nil {
		return networkKeys{}, false, fmt.Errorf("read network key: %w", err)
	}
	n, err := parseNetworkKeys(b)
	if err != nil {
		return networkKeys{}, false, chat.UserErrorf("the network key file %s is damaged (%v); join the workspace again with a new invite code", path, err)
	}
	return n, true, nil
}

// writeNetworkKeys records the state, readable by the owner only.
func writeNetworkKeys(dir string, n networkKeys) error {
	if err := hcrypto.WriteFileAtomic(filepath.Join(dir, networkKeyFile), n.marshal(), 0o600); err != nil {
		return fmt.Errorf("write network key: %w", err)
	}
	return nil
}

// removeNetworkKeys forgets any rotation: the folder moves to a new
// workspace, the open LAN, or one whose network key was never rotated.
func removeNetworkKeys(dir string) error {
	return removeIfPresent(dir, networkKeyFile, "network key")
}

// ReadNetworkKey is the rotated network key the data folder's workspace
// runs on, or nil when its network key is the workspace key.
func ReadNetworkKey(dir string) (*hcrypto.NetworkKey, error) {
	n, ok, err := readNetworkKeys(dir)
	if err != nil || !ok {
		return nil, err
	}
	return &n.Current, nil
}

// WriteNetworkKey records the network key an invite code carries, unless
// the folder runs on a key as new already; nil forgets any (the folder
// joins another workspace).
func WriteNetworkKey(dir string, k *hcrypto.NetworkKey) error {
	if k == nil {
		return removeNetworkKeys(dir)
	}
	n, ok, err := readNetworkKeys(dir)
	switch {
	case err != nil || !ok:
		n = networkKeys{Current: *k}
	case n.Current.Epoch >= k.Epoch:
		return nil // the folder is on this key or a newer one already
	default:
		n = n.moved(*k, n.Current.Key, time.Now())
	}
	return writeNetworkKeys(dir, n)
}
