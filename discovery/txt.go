package discovery

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/grandcat/zeroconf"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TXT record keys and the format version this package speaks.
const (
	txtID      = "id"
	txtTag     = "ws"
	txtVersion = "v"
	version    = "1"
)

// Limits for what a TXT record may hold. Announcements come from anyone on
// the LAN, so every size is capped before it is used.
const (
	maxTXTString  = 255  // one character-string in DNS
	maxTXTStrings = 32   // ours has 3; room for future keys, not for floods
	maxTXTRecord  = 1300 // stay well inside one 1500-byte frame
	maxIDLen      = 128  // textual peer IDs are about 46-62 bytes
	maxTagLen     = 128
)

// ErrInvalidTXT marks a TXT record this package cannot use.
var ErrInvalidTXT = errors.New("discovery: invalid TXT record")

// ParseTXT reads the peer ID and workspace tag from a TXT record as
// announced by MDNS: "id=<peer id>", "ws=<tag>", "v=1". Keys are matched
// case-insensitively (RFC 6763 §6.4) and unknown keys are ignored, but a
// repeated key, a missing or over-long value, an unknown version or an
// invalid peer ID is an error. The returned id is in canonical form.
func ParseTXT(txt []string) (id string, tag string, err error) {
	pid, tag, err := parseTXT(txt)
	if err != nil {
		return "", "", err
	}
	return pid.String(), tag, nil
}

func parseTXT(txt []string) (peer.ID, string, error) {
	if len(txt) > maxTXTStrings {
		return "", "", fmt.Errorf("%w: %d strings, at most %d", ErrInvalidTXT, len(txt), maxTXTStrings)
	}
	seen := make(map[string]bool, len(txt))
	var rawID, tag, ver string
	for _, s := range txt {
		if len(s) > maxTXTString {
			return "", "", fmt.Errorf("%w: a %d-byte string, at most %d", ErrInvalidTXT, len(s), maxTXTString)
		}
		if s == "" {
			continue // an empty TXT string carries nothing (RFC 6763 §6.1)
		}
		key, value, hasValue := strings.Cut(s, "=")
		if key == "" {
			continue // RFC 6763 §6.4: strings without a key are silently ignored
		}
		key = strings.ToLower(key)
		if seen[key] {
			return "", "", fmt.Errorf("%w: key %.20q repeated", ErrInvalidTXT, key)
		}
		seen[key] = true
		var dst *string
		switch key {
		case txtID:
			dst = &rawID
		case txtTag:
			dst = &tag
		case txtVersion:
			dst = &ver
		default:
			continue
		}
		if !hasValue || value == "" {
			return "", "", fmt.Errorf("%w: key %q has no value", ErrInvalidTXT, key)
		}
		*dst = value
	}
	switch {
	case !seen[txtID]:
		return "", "", fmt.Errorf("%w: no %q", ErrInvalidTXT, txtID)
	case !seen[txtTag]:
		return "", "", fmt.Errorf("%w: no %q", ErrInvalidTXT, txtTag)
	case !seen[txtVersion]:
		return "", "", fmt.Errorf("%w: no %q", ErrInvalidTXT, txtVersion)
	case ver != version:
		return "", "", fmt.Errorf("%w: version %.8q, want %q", ErrInvalidTXT, ver, version)
	}
	if err := checkTag(tag); err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrInvalidTXT, err)
	}
	if len(rawID) > maxIDLen {
		return "", "", fmt.Errorf("%w: a %d-byte peer ID", ErrInvalidTXT, len(rawID))
	}
	pid, err := peer.Decode(rawID)
	if err != nil {
		return "", "", fmt.Errorf("%w: peer ID: %w", ErrInvalidTXT, err)
	}
	// A CID naming a multihash that no peer ID text can name (its
	// canonical form would not decode) is not a peer anyone can be.
	if again, err := peer.Decode(pid.String()); err != nil || again != pid {
		return "", "", fmt.Errorf("%w: peer ID without a canonical form", ErrInvalidTXT)
	}
	return pid, tag, nil
}

// ParseEntry reads the peer ID and workspace tag of one browse result. It
// checks the port too, since a sighting is useless without one; addresses
// are checked where they are turned into multiaddrs.
func ParseEntry(e *zeroconf.ServiceEntry) (peer.ID, string, error) {
	if e == nil {
		return "", "", errors.New("discovery: nil service entry")
	}
	if e.Port < 1 || e.Port > 65535 {
		return "", "", fmt.Errorf("discovery: service entry port %d", e.Port)
	}
	return parseTXT(e.Text)
}

// checkTag accepts a workspace tag: printable, bounded, and free of '=' so
// that it survives any TXT tooling unchanged.
func checkTag(tag string) error {
	if tag == "" {
		return errors.New("empty workspace tag")
	}
	if len(tag) > maxTagLen {
		return fmt.Errorf("workspace tag of %d bytes, at most %d", len(tag), maxTagLen)
	}
	if !utf8.ValidString(tag) {
		return errors.New("workspace tag is not UTF-8")
	}
	for _, r := range tag {
		if r < 0x21 || r == 0x7f || r == '=' || (r >= 0x80 && r < 0xa0) {
			return fmt.Errorf("workspace tag has character %U", r)
		}
	}
	return nil
}

// txtRecord builds the announcement's TXT strings and checks the sizes that
// zeroconf would otherwise get wrong without telling anyone.
func txtRecord(id peer.ID, tag string) ([]string, error) {
	if err := checkTag(tag); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	txt := []string{txtID + "=" + id.String(), txtTag + "=" + tag, txtVersion + "=" + version}
	total := 0
	for _, s := range txt {
		if len(s) > maxTXTString {
			return nil, fmt.Errorf("discovery: TXT string %.16q… is %d bytes, at most %d", s, len(s), maxTXTString)
		}
		total += 1 + len(s)
	}
	if total > maxTXTRecord {
		return nil, fmt.Errorf("discovery: TXT record is %d bytes, at most %d", total, maxTXTRecord)
	}
	return txt, nil
}

// instanceName derives the DNS-SD instance and host label from the peer ID:
// unique per peer (two peers on one machine must not collide), lower case
// because DNS compares names case-insensitively, and far below 63 bytes.
func instanceName(id peer.ID) string {
	s := id.String()
	if len(s) > 20 {
		s = s[len(s)-20:]
	}
	return "hw-" + strings.ToLower(s)
}
