package archive

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Highlight marks in a snippet.
const (
	MarkOpen  = "«"
	MarkClose = "»"
)

// Snippet returns a one-line excerpt of text of about width characters
// around the first place a term occurs, with every occurrence inside it
// wrapped in « and ». Matching ignores case and accents, as search does.
// Cut ends are marked with "…". Without any occurrence it returns the
// start of the text.
func Snippet(text string, terms []string, width int) string {
	if width <= 0 {
		width = 160
	}
	runes := []rune(strings.Join(strings.Fields(text), " ")) // one line, spaces collapsed
	folded, origin := foldRunes(runes)
	marked := make([]bool, len(runes)+1) // marked[i]: rune i lies in a match
	first := -1
	for _, t := range terms {
		ft, _ := foldRunes([]rune(t))
		if len(ft) == 0 {
			continue
		}
		for i := 0; i+len(ft) <= len(folded); i++ {
			if !equalRunes(folded[i:i+len(ft)], ft) {
				continue
			}
			start, end := origin[i], origin[i+len(ft)-1]
			for k := start; k <= end; k++ {
				marked[k] = true
			}
			if first < 0 || start < first {
				first = start
			}
		}
	}
	from := 0
	if first > width/3 {
		from = first - width/3
		// Start at a word when one begins close by.
		for k := from; k < first && k < from+12; k++ {
			if runes[k] == ' ' {
				from = k + 1
				break
			}
		}
	}
	to := min(len(runes), from+width)
	if to < len(runes) {
		// End after a word when one ends close by.
		for k := to - 1; k > from && k > to-12; k-- {
			if runes[k] == ' ' && !marked[k] {
				to = k
				break
			}
		}
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	open := false
	for k := from; k < to; k++ {
		if marked[k] && !open {
			b.WriteString(MarkOpen)
			open = true
		}
		if !marked[k] && open {
			b.WriteString(MarkClose)
			open = false
		}
		b.WriteRune(runes[k])
	}
	if open {
		b.WriteString(MarkClose)
	}
	if to < len(runes) {
		b.WriteString("…")
	}
	return b.String()
}

// foldRunes lowers case and drops accents, keeping for each folded rune
// the index of the rune it came from.
func foldRunes(in []rune) (out []rune, origin []int) {
	for i, r := range in {
		for _, d := range norm.NFD.String(string(r)) {
			if unicode.Is(unicode.Mn, d) {
				continue
			}
			out = append(out, unicode.ToLower(d))
			origin = append(origin, i)
		}
	}
	return out, origin
}

func equalRunes(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
