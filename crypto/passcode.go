package crypto

import (
	"crypto/ed25519"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
)

// A pass code carries what an invite code does (the workspace key and its
// workspace room's id) and a pass's private key (pass.go) to a newcomer,
// written like an invite code ("HW3-" and groups of five Crockford base32
// symbols, with a checksum), so it reads, types and pastes alike.
const (
	passCodeVersion = 3
	passCodePrefix  = "HW3"
	passCodeDomain  = "hallway-pass"
	passCodeLen     = 1 + len(WorkspaceKey{}) + roomIDRandomBytes + ed25519.SeedSize + inviteChecksumLen
	passCodeSymbols = (passCodeLen*8 + 4) / 5
	maxPassCodeText = 1024
)

// PassCode is what a newcomer needs to enter with a pass.
type PassCode struct {
	Invite                        // the workspace key and room
	Seed   [ed25519.SeedSize]byte // the pass's private key
}

// NewPass makes a fresh pass key for the workspace of v.
func NewPass(v Invite) (PassCode, error) {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return PassCode{}, fmt.Errorf("new pass: %w", err)
	}
	return PassCode{Invite: v, Seed: [ed25519.SeedSize]byte(priv.Seed())}, nil
}

// Private is the pass's signing key.
func (c PassCode) Private() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(c.Seed[:]) }

// PassKey names the pass (the public half of its key).
func (c PassCode) PassKey() PassKey { return PassKey(c.Private().Public().(ed25519.PublicKey)) }

// String keeps the secrets out of logs when a code is printed by accident.
func (c PassCode) String() string { return "PassCode(" + c.PassKey().Short() + ")" }

// Short is how a pass is named to people: its key's first 8 bytes in hex.
func (k PassKey) Short() string { return fmt.Sprintf("%x", k[:8]) }

// Encode writes the code for a person to pass on: HW5 once the network
// key was rotated, HW3 before.
func (c PassCode) Encode() (string, error) {
	if c.rotated() {
		payload, err := c.rotatedPayload(pass5Version, c.Seed[:], passCodeDomain)
		if err != nil {
			return "", fmt.Errorf("pass code: %w", err)
		}
		return formatInvite(pass5Prefix, payload), nil
	}
	raw, err := c.roomBytes()
	if err != nil {
		return "", fmt.Errorf("pass code: %w", err)
	}
	payload := make([]byte, 0, passCodeLen)
	payload = append(payload, passCodeVersion)
	payload = append(payload, c.Key[:]...)
	payload = append(payload, raw...)
	payload = append(payload, c.Seed[:]...)
	payload = append(payload, codeChecksum(passCodeDomain, payload)...)
	return formatInvite(passCodePrefix, payload), nil
}

// IsPassCode reports whether s looks like a pass code rather than an
// invite code (it starts with "HW3" or "HW5").
func IsPassCode(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n")
	if len(s) < len(passCodePrefix) {
		return false
	}
	return strings.EqualFold(s[:len(passCodePrefix)], passCodePrefix) || strings.EqualFold(s[:len(pass5Prefix)], pass5Prefix)
}

// ParsePassCode decodes a pass code as typed or pasted. Errors never
// repeat the code, which holds secrets.
func ParsePassCode(s string) (PassCode, error) {
	if sym, err := readInviteSymbols(s, maxPassCodeText); err == nil && strings.HasPrefix(string(sym), pass5Prefix) {
		v, seed, err := parseRotated(s, pass5Prefix, pass5Symbols, pass5Version, passCodeDomain)
		if err != nil {
			return PassCode{}, fmt.Errorf("parse pass code: %w", err)
		}
		return PassCode{Invite: v, Seed: [32]byte(seed)}, nil
	}
	payload, err := readCode(s, maxPassCodeText, passCodePrefix, passCodeSymbols)
	if err != nil {
		return PassCode{}, fmt.Errorf("parse pass code: %w", err)
	}
	sum := payload[len(payload)-inviteChecksumLen:]
	content := payload[:len(payload)-inviteChecksumLen]
	if subtle.ConstantTimeCompare(sum, codeChecksum(passCodeDomain, content)) != 1 {
		return PassCode{}, errors.New("parse pass code: the code has a typo")
	}
	if content[0] != passCodeVersion {
		return PassCode{}, fmt.Errorf("parse pass code: version %d is not supported by this Hallway; it may need an update", content[0])
	}
	var c PassCode
	copy(c.Key[:], content[1:])
	c.Room = strings.ToLower(encodeCrockford(content[1+len(c.Key) : 1+len(c.Key)+roomIDRandomBytes]))
	copy(c.Seed[:], content[1+len(c.Key)+roomIDRandomBytes:])
	return c, nil
}
