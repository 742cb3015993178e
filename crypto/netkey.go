package crypto

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// A workspace's network key (the libp2p private-network key every
// connection starts with) is its workspace key until an admin rotates it.
// A rotation moves #general to a new epoch, whose key the admin hands to
// the remaining members only, and names that epoch in the signed policy:
// the new network key derives from that epoch's key. Invite and pass codes
// made after a rotation carry the network key beside the workspace key,
// from which the workspace room's and #general's first keys still derive.
const (
	networkKeyInfo = "hallway network key v1"
	rotationDomain = "hallway network key rotation v1\x00"

	invite4Version    = 4
	invite4Prefix     = "HW4"
	invite4PayloadLen = 1 + 2*len(WorkspaceKey{}) + 8 + roomIDRandomBytes + inviteChecksumLen
	invite4Symbols    = (invite4PayloadLen*8 + 4) / 5

	pass5Version = 5
	pass5Prefix  = "HW5"
	pass5Len     = 1 + 2*len(WorkspaceKey{}) + 8 + roomIDRandomBytes + 32 + inviteChecksumLen
	pass5Symbols = (pass5Len*8 + 4) / 5
)

// NetworkKey is a rotated network key and the #general epoch whose key it
// derives from: a node only ever moves to a later epoch's.
type NetworkKey struct {
	Key   WorkspaceKey
	Epoch uint64
}

// NetworkKeyFrom is the network key a rotation to the #general epoch
// whose key is k puts in use.
func NetworkKeyFrom(k RoomKey, epoch uint64) NetworkKey {
	var w WorkspaceKey
	copy(w[:], hkdfSHA256(k[:], networkKeyInfo, len(w)))
	return NetworkKey{Key: w, Epoch: epoch}
}

// NetworkKey is the network key the invite's workspace runs on: the
// rotated one when it carries one, else the workspace key.
func (v Invite) NetworkKey() WorkspaceKey {
	if v.rotated() {
		return v.Network.Key
	}
	return v.Key
}

// rotated reports whether the invite carries a network key of its own.
func (v Invite) rotated() bool { return v.Network != nil && v.Network.Epoch > 0 }

// roomBytes decodes the invite's workspace room id.
func (v Invite) roomBytes() ([]byte, error) {
	raw, err := decodeCrockford([]byte(strings.ToUpper(v.Room)))
	if err != nil || len(raw) != roomIDRandomBytes || encodeCrockford(raw) != strings.ToUpper(v.Room) {
		return nil, fmt.Errorf("%q is not a workspace room id", v.Room)
	}
	return raw, nil
}

// rotatedPayload is what codes of a rotated workspace carry: version,
// workspace key, network key, workspace room, extra (a pass's seed), then
// a checksum over all of it under domain.
func (v Invite) rotatedPayload(version byte, extra []byte, domain string) ([]byte, error) {
	raw, err := v.roomBytes()
	if err != nil {
		return nil, err
	}
	out := []byte{version}
	out = append(out, v.Key[:]...)
	out = append(out, v.Network.Key[:]...)
	out = binary.BigEndian.AppendUint64(out, v.Network.Epoch)
	out = append(out, raw...)
	out = append(out, extra...)
	return append(out, codeChecksum(domain, out)...), nil
}

// parseRotated reads a rotated workspace's code, returning the invite and
// what follows the room (a pass's seed).
func parseRotated(s, prefix string, symbols int, version byte, domain string) (Invite, []byte, error) {
	payload, err := readCode(s, maxPassCodeText, prefix, symbols)
	if err != nil {
		return Invite{}, nil, err
	}
	content, sum := payload[:len(payload)-inviteChecksumLen], payload[len(payload)-inviteChecksumLen:]
	if subtle.ConstantTimeCompare(sum, codeChecksum(domain, content)) != 1 {
		return Invite{}, nil, errors.New("the code has a typo")
	}
	if content[0] != version {
		return Invite{}, nil, fmt.Errorf("version %d is not supported by this Hallway; it may need an update", content[0])
	}
	var v Invite
	n := len(v.Key)
	copy(v.Key[:], content[1:1+n])
	net := &NetworkKey{}
	copy(net.Key[:], content[1+n:1+2*n])
	rest := content[1+2*n:]
	if net.Epoch = binary.BigEndian.Uint64(rest); net.Epoch == 0 || net.Epoch > MaxEpoch {
		return Invite{}, nil, fmt.Errorf("network key epoch %d is out of range", net.Epoch)
	}
	v.Network = net
	v.Room = strings.ToLower(encodeCrockford(rest[8 : 8+roomIDRandomBytes]))
	return v, rest[8+roomIDRandomBytes:], nil
}

func codeChecksum(domain string, content []byte) []byte {
	h := sha256.New()
	h.Write([]byte(domain))
	h.Write(content)
	return h.Sum(nil)[:inviteChecksumLen]
}

// RotationMessage is what the rotating admin signs with its identity, so
// that a member who was away can check, from any colleague that hands it
// the epoch key, that an admin of its workspace moved the network to it.
func RotationMessage(room string, epoch uint64, commit [32]byte) []byte {
	out := append([]byte(rotationDomain), room...)
	out = append(out, 0)
	out = binary.BigEndian.AppendUint64(out, epoch)
	return append(out, commit[:]...)
}
