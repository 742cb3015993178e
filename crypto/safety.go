package crypto

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/big"
	"strings"

	ic "github.com/libp2p/go-libp2p/core/crypto"
)

// A safety number belongs to a pair of colleagues: both compute the same
// digits from their two public keys, whichever side they stand on, and
// compare them in person (read aloud, or as a QR code). Like a fingerprint
// it is decimal, in groups of five whose last digit is a Damm check digit.
const (
	safetyDomain   = "hallway-safety-number-v1"
	safetyGroups   = 12
	safetyDigits   = safetyGroups * fingerprintDataLen
	safetyHashSize = 25 // 200 bits cover 10^48 with little bias
)

// SafetyNumber returns the pair's safety number: twelve groups of five
// digits separated by spaces. It is symmetric in a and b.
func SafetyNumber(a, b ic.PubKey) (string, error) {
	if a == nil || b == nil {
		return "", errors.New("safety number: missing key")
	}
	ma, err := ic.MarshalPublicKey(a)
	if err != nil {
		return "", err
	}
	mb, err := ic.MarshalPublicKey(b)
	if err != nil {
		return "", err
	}
	return SafetyNumberBytes(ma, mb), nil
}

// SafetyNumberBytes is SafetyNumber for keys in ic.MarshalPublicKey form.
func SafetyNumberBytes(a, b []byte) string {
	if bytes.Compare(a, b) > 0 {
		a, b = b, a
	}
	h := sha256.New()
	h.Write([]byte(safetyDomain))
	for _, k := range [][]byte{a, b} {
		var n [4]byte
		n[0], n[1], n[2], n[3] = byte(len(k)>>24), byte(len(k)>>16), byte(len(k)>>8), byte(len(k))
		h.Write(n[:])
		h.Write(k)
	}
	sum := h.Sum(nil)
	// A second, chained round gives more than 32 bytes to draw from.
	more := sha256.Sum256(append([]byte(safetyDomain), sum...))
	raw := append(sum, more[:]...)[:safetyHashSize]

	n := new(big.Int).SetBytes(raw)
	n.Mod(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(safetyDigits), nil))
	digits := n.Text(10)
	digits = strings.Repeat("0", safetyDigits-len(digits)) + digits
	var out strings.Builder
	for g := range safetyGroups {
		if g > 0 {
			out.WriteByte(' ')
		}
		group := digits[g*fingerprintDataLen : (g+1)*fingerprintDataLen]
		out.WriteString(group)
		out.WriteByte('0' + dammInterim(group))
	}
	return out.String()
}
