package cli

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// What a colleague wrote reaches the user's terminal through the human
// forms of history, watch, search, peers, rooms and files. A terminal obeys
// control characters, so a message or a name could clear the screen, rewrite
// earlier lines (carriage return, backspace), plant a hyperlink (OSC 8) or
// reorder what is shown (bidi overrides). Every peer-controlled string is
// passed through safeLine or safeText before it is printed; --json output
// is left alone because JSON escapes controls itself.
//
// Escaped, visibly and reversibly for a reader:
//   - C0 controls, DEL and tab as \xHH (a tab would also break table columns);
//   - C1 controls (U+0080–U+009F), the bidi embeddings, overrides and
//     isolates (U+202A–U+202E, U+2066–U+2069), the directional marks
//     (U+200E, U+200F, U+061C) and the line and paragraph separators
//     (U+2028, U+2029) as \uHHHH;
//   - bytes that are not UTF-8 as \xHH (a lone 0x9b is CSI to some terminals).
//
// A backslash is printed as is: text that spells "\x1b" stays harmless text.

// safeLine returns s fit for one line of a terminal: newlines are escaped too.
func safeLine(s string) string {
	if !needsEscape(s, false) {
		return s
	}
	var b strings.Builder
	escapeInto(&b, s, false)
	return b.String()
}

// safeText returns a message text fit for a terminal. Its newlines are kept,
// each continuation line starting with indent, so a message spanning lines
// still reads as one message; everything else is escaped as in safeLine.
func safeText(s, indent string) string {
	if !needsEscape(s, true) {
		return strings.ReplaceAll(s, "\n", "\n"+indent)
	}
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteString("\n")
			b.WriteString(indent)
		}
		escapeInto(&b, line, false)
	}
	return b.String()
}

func needsEscape(s string, keepNewline bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return true
		}
		if unsafeRune(r) && !(keepNewline && r == '\n') {
			return true
		}
		i += size
	}
	return false
}

func escapeInto(b *strings.Builder, s string, keepNewline bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(b, `\x%02x`, s[i])
		case keepNewline && r == '\n':
			b.WriteByte('\n')
		case unsafeRune(r) && r < 0x80:
			fmt.Fprintf(b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
}

// unsafeRune reports whether a terminal would act on r rather than show it.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}
