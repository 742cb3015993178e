package files

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrUnsafePath means a relative path from a peer, or one passed to
// Downloads, is not in the strict safe form.
var ErrUnsafePath = errors.New("unsafe path")

// maxNameBytes leaves room under the common 255-byte file name limit for
// the " (n)" suffix Finalize may add.
const maxNameBytes = 200

// maxExtBytes is the longest tail after the last dot that truncation keeps;
// longer "extensions" are more likely part of the name.
const maxExtBytes = 16

// SafeName makes one path component safe to create on Linux, macOS and
// Windows and harmless to show to a user:
//
//   - only the base name is kept: anything up to the last '/' or '\' is dropped;
//   - control characters and bidi/format characters that can disguise a name
//     (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, U+FEFF, and also U+061C,
//     U+2028, U+2029) are removed, and invalid UTF-8 becomes U+FFFD;
//   - characters Windows forbids (<>:"|?*) become '_';
//   - leading spaces and trailing spaces and dots are trimmed;
//   - "", "." and ".." become "file";
//   - Windows device names (CON, PRN, AUX, NUL, COM1–9, LPT1–9, and the
//     rarer CONIN$, CONOUT$, COM0, LPT0, COM¹–³, LPT¹–³; also with an
//     extension, in any case) get a leading '_';
//   - the result is at most 200 bytes, cut on a rune boundary and keeping
//     an extension of up to 16 bytes.
//
// SafeName(SafeName(x)) == SafeName(x) for every x.
func SafeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	s := cleanRunes(name)
	// Each pass can only shorten s or add the '_' that makes it
	// non-reserved, so this settles in at most three passes; looping until
	// nothing changes is what makes SafeName idempotent by construction.
	for range 4 {
		t := shapeName(s)
		if t == s {
			break
		}
		s = t
	}
	return s
}

func cleanRunes(s string) string {
	if isPlainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), MaxPathBytes))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		case unicode.IsControl(r) || isBidiOrFormat(r):
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlainASCII reports whether cleanRunes would leave s unchanged because
// it is printable ASCII without forbidden characters, the common case.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || strings.IndexByte(`<>:"|?*`, c) >= 0 {
			return false
		}
	}
	return true
}

func isBidiOrFormat(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F, r == 0x2028, r == 0x2029, r == 0xFEFF:
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// shapeName applies the length, trimming and reserved-name rules to a name
// whose characters are already clean.
func shapeName(s string) string {
	if len(s) > maxNameBytes {
		ext := ""
		if i := strings.LastIndexByte(s, '.'); i > 0 && len(s)-i <= maxExtBytes {
			ext = s[i:]
		}
		stem := s[:len(s)-len(ext)]
		cut := maxNameBytes - len(ext)
		for cut > 0 && !utf8.RuneStart(stem[cut]) {
			cut--
		}
		s = stem[:cut] + ext
	}
	s = strings.TrimLeft(s, " ")
	s = strings.TrimRight(s, " .")
	if s == "" {
		return "file"
	}
	if isReservedName(s) {
		return "_" + s
	}
	return s
}

// isReservedName reports whether Windows would treat s as a device: the
// part before the first dot, ignoring trailing spaces, is a device name.
func isReservedName(s string) bool {
	stem, _, _ := strings.Cut(s, ".")
	stem = strings.TrimRight(stem, " ")
	switch len(stem) {
	case 3:
		for _, r := range []string{"CON", "PRN", "AUX", "NUL"} {
			if strings.EqualFold(stem, r) {
				return true
			}
		}
		return false
	case 6, 7:
		return strings.EqualFold(stem, "CONIN$") || strings.EqualFold(stem, "CONOUT$")
	case 4, 5:
		// COM and LPT with a digit; current Windows also reserves 0 and the
		// superscript digits, which take two bytes.
		prefix, digit := stem[:3], stem[3:]
		if !strings.EqualFold(prefix, "COM") && !strings.EqualFold(prefix, "LPT") {
			return false
		}
		return len(digit) == 1 && '0' <= digit[0] && digit[0] <= '9' ||
			digit == "¹" || digit == "²" || digit == "³"
	}
	return false
}

// CheckRelPath reports whether p is a strictly safe relative path: '/'
// separators, no leading '/', no '\', no empty, "." or ".." component,
// every component unchanged by SafeName, at most MaxPathBytes. Errors wrap
// ErrUnsafePath.
func CheckRelPath(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("%w: empty path", ErrUnsafePath)
	case len(p) > MaxPathBytes:
		return fmt.Errorf("%w: path of %d bytes exceeds %d", ErrUnsafePath, len(p), MaxPathBytes)
	case p[0] == '/':
		return fmt.Errorf("%w: %q is absolute", ErrUnsafePath, p)
	case strings.ContainsRune(p, '\\'):
		return fmt.Errorf("%w: %q contains a backslash", ErrUnsafePath, p)
	}
	for c := range strings.SplitSeq(p, "/") {
		if c == "" || c == "." || c == ".." {
			return fmt.Errorf("%w: %q has an empty, . or .. component", ErrUnsafePath, p)
		}
		if SafeName(c) != c {
			return fmt.Errorf("%w: %q has unsafe component %q", ErrUnsafePath, p, c)
		}
	}
	return nil
}

// SafeRelPath turns a hostile relative path into one that passes
// CheckRelPath: both '/' and '\' separate components, empty, "." and ".."
// components are dropped (never resolved), and every other component goes
// through SafeName. A path with nothing left, or longer than MaxPathBytes
// once cleaned, is an error wrapping ErrUnsafePath.
func SafeRelPath(p string) (string, error) {
	var parts []string
	for c := range strings.FieldsFuncSeq(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if c == "." || c == ".." {
			continue
		}
		parts = append(parts, SafeName(c))
		// Cleaned components are at least one byte, so this bounds the work
		// on a hostile path with millions of separators.
		if len(parts) > MaxPathBytes/2+1 {
			return "", fmt.Errorf("%w: too many path components", ErrUnsafePath)
		}
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("%w: %q has no usable component", ErrUnsafePath, p)
	}
	out := strings.Join(parts, "/")
	if len(out) > MaxPathBytes {
		return "", fmt.Errorf("%w: cleaned path of %d bytes exceeds %d", ErrUnsafePath, len(out), MaxPathBytes)
	}
	return out, nil
}
