package archive

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits of a search query.
const (
	MaxQueryBytes = 1024
	MaxQueryTerms = 16
	MaxTermBytes  = 256
)

// ParseQuery splits what a user typed into search terms: words separated
// by spaces, or "quoted phrases" kept whole (a missing closing quote ends
// the phrase at the end). Nothing else is syntax: *, -, OR, NEAR and
// parentheses are text to find. Control characters count as spaces, text
// is normalized (NFC) so that composed and decomposed accents match, and
// the query is cut to MaxQueryTerms terms of at most MaxTermBytes each.
func ParseQuery(s string) []string {
	if len(s) > MaxQueryBytes {
		s = cutUTF8(s, MaxQueryBytes)
	}
	s = norm.NFC.String(strings.ToValidUTF8(s, " "))
	var terms []string
	var cur strings.Builder
	inQuote := false
	flush := func() {
		// Cut, then trimmed: a phrase cut after a space would end in one.
		t := strings.TrimSpace(cutUTF8(strings.TrimSpace(cur.String()), MaxTermBytes))
		cur.Reset()
		if t == "" || len(terms) == MaxQueryTerms {
			return
		}
		for _, have := range terms {
			if have == t {
				return
			}
		}
		terms = append(terms, t)
	}
	for _, r := range s {
		switch {
		case r == '"':
			flush()
			inQuote = !inQuote
		case unicode.IsControl(r) || unicode.IsSpace(r) && !inQuote:
			if inQuote {
				cur.WriteRune(' ')
			} else {
				flush()
			}
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return terms
}

func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
