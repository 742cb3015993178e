package crypto

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
)

// A pass code carries a workspace key and a pass's private key (pass.go)
// to a newcomer, written like an invite code ("HW2-" and groups of five
// Crockford base32 symbols, with a checksum), so it reads, types and
// pastes alike.
const (
	passCodeVersion = 2
	passCodePrefix  = "HW2"
	passCodeDomain  = "hallway-pass"
	passCodeLen     = 1 + len(WorkspaceKey{}) + ed25519.SeedSize + inviteChecksumLen
	passCodeSymbols = (passCodeLen*8 + 4) / 5
	maxPassCodeText = 1024
)

// PassCode is what a newcomer needs to enter with a pass.
type PassCode struct {
	Workspace WorkspaceKey
	Seed      [ed25519.SeedSize]byte // the pass's private key
}

// NewPass makes a fresh pass key for workspace k.
func NewPass(k WorkspaceKey) (PassCode, error) {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return PassCode{}, fmt.Errorf("new pass: %w", err)
	}
	return PassCode{Workspace: k, Seed: [ed25519.SeedSize]byte(priv.Seed())}, nil
}

// Private is the pass's signing key.
func (c PassCode) Private() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(c.Seed[:]) }

// Key names the pass (the public half of its key).
func (c PassCode) Key() PassKey { return PassKey(c.Private().Public().(ed25519.PublicKey)) }

// String keeps the secrets out of logs when a code is printed by accident.
func (c PassCode) String() string { return "PassCode(" + c.Key().Short() + ")" }

// Short is how a pass is named to people: its key's first 8 bytes in hex.
func (k PassKey) Short() string { return fmt.Sprintf("%x", k[:8]) }

// Encode writes the code for a person to pass on.
func (c PassCode) Encode() string {
	payload := make([]byte, 0, passCodeLen)
	payload = append(payload, passCodeVersion)
	payload = append(payload, c.Workspace[:]...)
	payload = append(payload, c.Seed[:]...)
	payload = append(payload, passCodeChecksum(payload)...)
	return formatInvite(passCodePrefix, payload)
}

// IsPassCode reports whether s looks like a pass code rather than an
// invite code (it starts with "HW2").
func IsPassCode(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n")
	return len(s) >= len(passCodePrefix) && strings.EqualFold(s[:len(passCodePrefix)], passCodePrefix)
}

// ParsePassCode decodes a pass code as typed or pasted. Errors never
// repeat the code, which holds secrets.
func ParsePassCode(s string) (PassCode, error) {
	symbols, err := readInviteSymbols(s, maxPassCodeText)
	if err != nil {
		return PassCode{}, fmt.Errorf("parse pass code: %w", err)
	}
	if !strings.HasPrefix(string(symbols), passCodePrefix) {
		return PassCode{}, fmt.Errorf("parse pass code: it must start with %q", passCodePrefix+"-")
	}
	body := symbols[len(passCodePrefix):]
	if len(body) != passCodeSymbols {
		return PassCode{}, fmt.Errorf("parse pass code: it has %d characters after %q, want %d; part of it is missing or extra",
			len(body), passCodePrefix+"-", passCodeSymbols)
	}
	payload, err := decodeCrockford(body)
	if err != nil {
		return PassCode{}, fmt.Errorf("parse pass code: %w", err)
	}
	sum := payload[len(payload)-inviteChecksumLen:]
	content := payload[:len(payload)-inviteChecksumLen]
	if subtle.ConstantTimeCompare(sum, passCodeChecksum(content)) != 1 {
		return PassCode{}, errors.New("parse pass code: the code has a typo")
	}
	if content[0] != passCodeVersion {
		return PassCode{}, fmt.Errorf("parse pass code: version %d is not supported by this Hallway; it may need an update", content[0])
	}
	var c PassCode
	copy(c.Workspace[:], content[1:])
	copy(c.Seed[:], content[1+len(c.Workspace):])
	return c, nil
}

func passCodeChecksum(content []byte) []byte {
	h := sha256.New()
	h.Write([]byte(passCodeDomain))
	h.Write(content)
	return h.Sum(nil)[:inviteChecksumLen]
}
