package crypto

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
)

// A private workspace made since admins exist has a workspace room: an
// owned room (OwnedRoomID) its creator made, whose membership log names the
// workspace's admins and carries its policy. Its id travels in the invite
// code, so a newcomer knows whose creation to trust; its key comes from
// the workspace key, so every member can read it.
const (
	invite2Version    = 2
	invite2Prefix     = "HW2"
	invite2PayloadLen = 1 + len(WorkspaceKey{}) + roomIDRandomBytes + inviteChecksumLen
	invite2Symbols    = (invite2PayloadLen*8 + 4) / 5

	workspaceRoomKeyLabel = "hallway workspace room key "
)

// Invite is what an invite code carries: the workspace key and, for a
// workspace with admins, the id of its workspace room.
type Invite struct {
	Key WorkspaceKey
	// Room is the workspace room's id; "" for a workspace from before
	// admins existed.
	Room string
	// Network is the network key an admin rotated to (netkey.go); nil
	// while it is the workspace key.
	Network *NetworkKey
}

// Code encodes the invite: HW4 once the network key was rotated, HW2
// with a workspace room, HW1 without.
func (v Invite) Code() (string, error) {
	if v.rotated() {
		payload, err := v.rotatedPayload(invite4Version, nil, inviteDomain)
		if err != nil {
			return "", fmt.Errorf("invite code: %w", err)
		}
		return formatInvite(invite4Prefix, payload), nil
	}
	if v.Room == "" {
		return v.Key.InviteCode(), nil
	}
	raw, err := v.roomBytes()
	if err != nil {
		return "", fmt.Errorf("invite code: %w", err)
	}
	payload := make([]byte, 0, invite2PayloadLen)
	payload = append(payload, invite2Version)
	payload = append(payload, v.Key[:]...)
	payload = append(payload, raw...)
	payload = append(payload, invite2Checksum(v.Key, raw)...)
	return formatInvite(invite2Prefix, payload), nil
}

// ParseInvite decodes an invite code of either version, as forgivingly as
// ParseInviteCode.
func ParseInvite(s string) (Invite, error) {
	symbols, err := readInviteSymbols(s, maxInviteInput)
	if err != nil {
		return Invite{}, fmt.Errorf("parse invite code: %w", err)
	}
	if strings.HasPrefix(string(symbols), invite4Prefix) {
		v, _, err := parseRotated(s, invite4Prefix, invite4Symbols, invite4Version, inviteDomain)
		if err != nil {
			return Invite{}, fmt.Errorf("parse invite code: %w", err)
		}
		return v, nil
	}
	if !strings.HasPrefix(string(symbols), invite2Prefix) {
		k, err := ParseInviteCode(s)
		return Invite{Key: k}, err
	}
	payload, err := readCode(s, maxInviteInput, invite2Prefix, invite2Symbols)
	if err != nil {
		return Invite{}, fmt.Errorf("parse invite code: %w", err)
	}
	var v Invite
	copy(v.Key[:], payload[1:1+len(v.Key)])
	raw := payload[1+len(v.Key) : 1+len(v.Key)+roomIDRandomBytes]
	if subtle.ConstantTimeCompare(payload[len(payload)-inviteChecksumLen:], invite2Checksum(v.Key, raw)) != 1 {
		return Invite{}, errors.New("parse invite code: the invite code has a typo")
	}
	if payload[0] != invite2Version {
		return Invite{}, fmt.Errorf("parse invite code: version %d is not supported by this Hallway; it may need an update", payload[0])
	}
	v.Room = strings.ToLower(encodeCrockford(raw))
	return v, nil
}

func invite2Checksum(k WorkspaceKey, room []byte) []byte {
	h := sha256.New()
	h.Write([]byte(inviteDomain))
	h.Write([]byte{invite2Version})
	h.Write(k[:])
	h.Write(room)
	return h.Sum(nil)[:inviteChecksumLen]
}

// WorkspaceRoomKey is the key of a workspace's room: every holder of the
// workspace key reads it.
func WorkspaceRoomKey(ws WorkspaceKey, room string) RoomKey {
	return RoomKey(ws.DeriveKey(workspaceRoomKeyLabel + room))
}
