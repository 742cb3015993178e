package crypto

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
)

// Invite codes travel by chat, e-mail, paper and voice, so they use
// Crockford base32: no letters that look like digits, case does not matter,
// and the commonly confused characters are read as what the writer meant.
// A checksum turns any remaining typo into an error instead of a silently
// different workspace.
const (
	inviteVersion     = 1
	invitePrefix      = "HW1"
	inviteDomain      = "hallway-invite"
	inviteChecksumLen = 4
	invitePayloadLen  = 1 + len(WorkspaceKey{}) + inviteChecksumLen
	inviteSymbols     = (invitePayloadLen*8 + 4) / 5
	inviteGroupLen    = 5
	// maxInviteInput allows generous spacing and line breaks around the
	// 75-character code while keeping the parser's work bounded.
	maxInviteInput = 512

	crockfordAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// InviteCode encodes k for a person to pass on, for example
// "HW1-04AB3-...": the prefix, then twelve dash-separated groups of five.
func (k WorkspaceKey) InviteCode() string {
	payload := make([]byte, 0, invitePayloadLen)
	payload = append(payload, inviteVersion)
	payload = append(payload, k[:]...)
	payload = append(payload, inviteChecksum(inviteVersion, k)...)
	return formatInvite(invitePrefix, payload)
}

// ParseInviteCode decodes an invite code as typed or pasted by a person:
// case, spaces, dashes and line breaks do not matter, and O, I and L are
// read as 0, 1 and 1. Error messages never repeat the code, which holds
// the workspace key.
func ParseInviteCode(s string) (WorkspaceKey, error) {
	payload, err := readCode(s, maxInviteInput, invitePrefix, inviteSymbols)
	if err != nil {
		return WorkspaceKey{}, fmt.Errorf("parse invite code: %w", err)
	}
	version := payload[0]
	var k WorkspaceKey
	copy(k[:], payload[1:1+len(k)])
	sum := payload[1+len(k):]
	if subtle.ConstantTimeCompare(sum, inviteChecksum(version, k)) != 1 {
		return WorkspaceKey{}, errors.New("parse invite code: the invite code has a typo")
	}
	if version != inviteVersion {
		return WorkspaceKey{}, fmt.Errorf("parse invite code: version %d is not supported by this Hallway; it may need an update", version)
	}
	return k, nil
}

// readCode reads the payload of a code written by formatInvite after
// prefix, as a person typed or pasted it: symbols after the prefix.
func readCode(s string, maxInput int, prefix string, symbols int) ([]byte, error) {
	read, err := readInviteSymbols(s, maxInput)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(string(read), prefix) {
		return nil, fmt.Errorf("it must start with %q", prefix+"-")
	}
	body := read[len(prefix):]
	if len(body) != symbols {
		return nil, fmt.Errorf("it has %d characters after %q, want %d; part of it is missing or extra", len(body), prefix+"-", symbols)
	}
	return decodeCrockford(body)
}

// formatInvite writes payload after prefix in dash-separated groups of
// five, short enough to read aloud and to copy by eye.
func formatInvite(prefix string, payload []byte) string {
	body := encodeCrockford(payload)
	var out strings.Builder
	out.Grow(len(prefix) + len(body) + len(body)/inviteGroupLen + 1)
	out.WriteString(prefix)
	for i := 0; i < len(body); i += inviteGroupLen {
		out.WriteByte('-')
		out.WriteString(body[i:min(i+inviteGroupLen, len(body))])
	}
	return out.String()
}

// readInviteSymbols turns a code as a person typed or pasted it into
// upper-case symbols: separators are dropped and O, I and L become the
// digits they are mistaken for. maxInput bounds the work done on input
// that cannot be a code.
func readInviteSymbols(s string, maxInput int) ([]byte, error) {
	if len(s) > maxInput {
		return nil, fmt.Errorf("%d characters is too long for an invite code", len(s))
	}
	symbols := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\r' || r == '\n':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case r >= 0x80:
			return nil, fmt.Errorf("%q is not used in invite codes", r)
		}
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		symbols = append(symbols, byte(r))
	}
	return symbols, nil
}

func inviteChecksum(version byte, k WorkspaceKey) []byte {
	h := sha256.New()
	h.Write([]byte(inviteDomain))
	h.Write([]byte{version})
	h.Write(k[:])
	return h.Sum(nil)[:inviteChecksumLen]
}

// encodeCrockford encodes b as unpadded Crockford base32, most significant
// bit first; the final symbol is filled with zero bits.
func encodeCrockford(b []byte) string {
	out := make([]byte, 0, (len(b)*8+4)/5)
	// acc may overflow: bits shifted out of it were emitted already.
	var acc uint32
	bits := 0
	for _, x := range b {
		acc = acc<<8 | uint32(x)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, crockfordAlphabet[(acc>>bits)&31])
		}
	}
	if bits > 0 {
		out = append(out, crockfordAlphabet[(acc<<(5-bits))&31])
	}
	return string(out)
}

// decodeCrockford reverses encodeCrockford for upper-case symbols already
// mapped from look-alikes. Non-zero fill bits are rejected: otherwise a typo
// in the last symbol could go unnoticed, because the checksum cannot see
// bits that decoding throws away.
func decodeCrockford(symbols []byte) ([]byte, error) {
	out := make([]byte, 0, len(symbols)*5/8)
	var acc uint32
	bits := 0
	for _, c := range symbols {
		v := strings.IndexByte(crockfordAlphabet, c)
		if v < 0 {
			return nil, fmt.Errorf("%q is not used in invite codes", rune(c))
		}
		acc = acc<<5 | uint32(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	if acc&(1<<bits-1) != 0 {
		return nil, errors.New("the invite code has a typo")
	}
	return out, nil
}
