package crypto

import (
	"encoding/binary"
	"fmt"
)

// wireReader decodes the binary formats of this package from untrusted
// bytes. Every length is checked against both its cap and the bytes left
// before anything is sliced or copied, so hostile input can neither panic
// the decoder nor make it allocate more than the input's own size.
type wireReader struct {
	b []byte
}

func (r *wireReader) empty() bool { return len(r.b) == 0 }

// fixed returns the next n bytes; the slice aliases the input.
func (r *wireReader) fixed(n int, what string) ([]byte, error) {
	if len(r.b) < n {
		return nil, fmt.Errorf("%s: truncated", what)
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out, nil
}

func (r *wireReader) u8(what string) (byte, error) {
	b, err := r.fixed(1, what)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

func (r *wireReader) u64(what string) (uint64, error) {
	b, err := r.fixed(8, what)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(b), nil
}

// uvarint accepts only the shortest encoding of a value: a longer one
// would give a second byte string for the same message, and decoders here
// promise that re-encoding reproduces the input exactly.
func (r *wireReader) uvarint(what string) (uint64, error) {
	v, n := binary.Uvarint(r.b)
	switch {
	case n == 0:
		return 0, fmt.Errorf("%s length: truncated", what)
	case n < 0:
		return 0, fmt.Errorf("%s length: overflows 64 bits", what)
	case n != uvarintLen(v):
		return 0, fmt.Errorf("%s length: not minimally encoded", what)
	}
	r.b = r.b[n:]
	return v, nil
}

// prefixed reads a uvarint length in [minLen, maxLen] and that many bytes,
// aliasing the input.
func (r *wireReader) prefixed(minLen, maxLen int, what string) ([]byte, error) {
	n, err := r.uvarint(what)
	if err != nil {
		return nil, err
	}
	if n < uint64(minLen) || n > uint64(maxLen) {
		return nil, fmt.Errorf("%s: length %d is outside %d..%d", what, n, minLen, maxLen)
	}
	return r.fixed(int(n), what)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// appendPrefixed appends b preceded by its length as a uvarint.
func appendPrefixed(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

func prefixedLen(n int) int {
	return uvarintLen(uint64(n)) + n
}
