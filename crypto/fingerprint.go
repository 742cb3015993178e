package crypto

import (
	"crypto/sha256"
	"fmt"
	"math/big"
	"strings"

	ic "github.com/libp2p/go-libp2p/core/crypto"
)

// Fingerprints are meant to be read aloud and compared by ear, so they are
// all decimal digits, and every group carries a Damm check digit: a misheard
// digit or two swapped neighbours inside a group is caught locally, and the
// error can point at the group to re-read.
const (
	fingerprintDomain    = "hallway-fingerprint-v1"
	fingerprintGroups    = 6
	fingerprintDataLen   = 4                      // digits of hash per group
	fingerprintGroupLen  = fingerprintDataLen + 1 // plus the check digit
	fingerprintDigits    = fingerprintGroups * fingerprintDataLen
	fingerprintHashBytes = 10 // 80 bits cover 10^24 with little bias
)

// dammTable is the order-10 weakly totally anti-symmetric quasigroup from
// H. Michael Damm's thesis. That property is what makes one check digit
// catch every single-digit error and every adjacent transposition.
var dammTable = [10][10]byte{
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
	{7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
	{1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
	{3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
	{8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
	{2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}

// dammInterim runs digits (ASCII '0'..'9') through the Damm table. The
// result is the check digit to append; for a string that already ends in
// its correct check digit it is 0.
func dammInterim(digits string) byte {
	var interim byte
	for i := 0; i < len(digits); i++ {
		interim = dammTable[interim][digits[i]-'0']
	}
	return interim
}

// Fingerprint returns the human fingerprint of pub: six groups of five
// digits separated by spaces. It returns "" if pub is nil or cannot be
// marshalled; FingerprintMatches never accepts "".
func Fingerprint(pub ic.PubKey) string {
	if pub == nil {
		return ""
	}
	b, err := ic.MarshalPublicKey(pub)
	if err != nil {
		return ""
	}
	return FingerprintBytes(b)
}

// FingerprintBytes is Fingerprint for a key already in ic.MarshalPublicKey
// form, as peers exchange it on the wire.
func FingerprintBytes(marshalledPub []byte) string {
	h := sha256.New()
	h.Write([]byte(fingerprintDomain))
	h.Write(marshalledPub)
	sum := h.Sum(nil)

	n := new(big.Int).SetBytes(sum[:fingerprintHashBytes])
	n.Mod(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(fingerprintDigits), nil))
	digits := n.Text(10)
	digits = strings.Repeat("0", fingerprintDigits-len(digits)) + digits

	var out strings.Builder
	for g := 0; g < fingerprintGroups; g++ {
		if g > 0 {
			out.WriteByte(' ')
		}
		group := digits[g*fingerprintDataLen : (g+1)*fingerprintDataLen]
		out.WriteString(group)
		out.WriteByte('0' + dammInterim(group))
	}
	return out.String()
}

// ShortFingerprintGroups is how many leading groups of a fingerprint tell
// two people of the same name apart: one group (about 13 bits) is cheap to
// match with a made-up key, two are not.
const ShortFingerprintGroups = 2

// ShortFingerprint returns the first ShortFingerprintGroups groups of a
// fingerprint joined by hyphens, as in "79301-56109", enough to tell two
// people of the same name apart in a list. It does not validate full.
func ShortFingerprint(full string) string {
	var out strings.Builder
	digits := 0
	for i := 0; i < len(full) && digits < ShortFingerprintGroups*fingerprintGroupLen; i++ {
		if isFingerprintSeparator(full[i]) {
			continue
		}
		if digits > 0 && digits%fingerprintGroupLen == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(full[i])
		digits++
	}
	return out.String()
}

// FingerprintPrefix parses the leading groups of a fingerprint as a user
// types them after a name ("79301-56109", "79301 56109", "7930156109"):
// their bare digits and how many whole groups they are. ok is false unless
// s is 1 to 6 whole groups of decimal digits. Check digits are not checked.
func FingerprintPrefix(s string) (digits string, groups int, ok bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case isFingerprintSeparator(c):
		default:
			return "", 0, false
		}
	}
	n := b.Len()
	if n == 0 || n%fingerprintGroupLen != 0 || n > fingerprintGroups*fingerprintGroupLen {
		return "", 0, false
	}
	return b.String(), n / fingerprintGroupLen, true
}

// FingerprintHasPrefix reports whether full starts with the bare digits
// of a FingerprintPrefix, ignoring how full's groups are separated.
func FingerprintHasPrefix(full, digits string) bool {
	var b strings.Builder
	for i := 0; i < len(full); i++ {
		if !isFingerprintSeparator(full[i]) {
			b.WriteByte(full[i])
		}
	}
	return digits != "" && strings.HasPrefix(b.String(), digits)
}

// CheckFingerprint reports whether s is a well-formed fingerprint whose
// check digits all agree, naming the first group that does not.
func CheckFingerprint(s string) error {
	_, err := normalizeFingerprint(s)
	return err
}

// FingerprintMatches reports whether a and b are the same valid
// fingerprint, however the users separated the groups.
func FingerprintMatches(a, b string) bool {
	na, err := normalizeFingerprint(a)
	if err != nil {
		return false
	}
	nb, err := normalizeFingerprint(b)
	if err != nil {
		return false
	}
	return na == nb
}

func isFingerprintSeparator(c byte) bool {
	return c == ' ' || c == '-' || c == '\t' || c == '\n' || c == '\r'
}

// normalizeFingerprint validates s and returns it as 30 bare digits.
// Typed-in groups are taken as written when separated, so a group with a
// missing digit is reported as such instead of shifting all later groups.
func normalizeFingerprint(s string) (string, error) {
	groups := strings.FieldsFunc(s, func(r rune) bool {
		return r < 0x80 && isFingerprintSeparator(byte(r))
	})
	if len(groups) == 1 && len(groups[0]) == fingerprintGroups*fingerprintGroupLen {
		whole := groups[0]
		groups = groups[:0]
		for i := 0; i < len(whole); i += fingerprintGroupLen {
			groups = append(groups, whole[i:i+fingerprintGroupLen])
		}
	}
	if len(groups) != fingerprintGroups {
		return "", fmt.Errorf("check fingerprint: it has %d groups, want %d groups of %d digits",
			len(groups), fingerprintGroups, fingerprintGroupLen)
	}
	var out strings.Builder
	for i, g := range groups {
		for j := 0; j < len(g); j++ {
			if g[j] < '0' || g[j] > '9' {
				return "", fmt.Errorf("check fingerprint: group %d contains %q, which is not a digit",
					i+1, firstRune(g[j:]))
			}
		}
		if len(g) != fingerprintGroupLen {
			return "", fmt.Errorf("check fingerprint: group %d has %d digits, want %d",
				i+1, len(g), fingerprintGroupLen)
		}
		if dammInterim(g) != 0 {
			return "", fmt.Errorf("check fingerprint: group %d does not check: a digit was misread", i+1)
		}
		out.WriteString(g)
	}
	return out.String(), nil
}

// firstRune keeps error messages readable when the offending character is
// multi-byte.
func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}
