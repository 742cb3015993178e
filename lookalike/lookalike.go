// Package lookalike tells whether two names may look the same to a reader.
// It folds what a reader does not see: case, compatibility forms
// (full-width letters, ligatures), spacing, and letters of other scripts
// that look like Latin ones, by the Unicode TR39 confusable skeleton.
package lookalike

import (
	"strings"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// Key is name folded so that names a reader may take for one another share
// it: "Ann", "ANN", "Аnn" with a Cyrillic А and "Ａｎｎ" have one key, as do
// "paypal" and "paypa1".
func Key(name string) string {
	s := strings.ToLower(norm.NFKC.String(name))
	// The skeleton may map a letter to an upper-case one; fold again and
	// take the skeleton of that, so the key is the same whatever the case.
	s = confusables.Skeleton(s)
	s = confusables.Skeleton(strings.ToLower(s))
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// Same reports whether two non-empty names may look the same to a reader.
func Same(a, b string) bool {
	ka := Key(a)
	return ka != "" && ka == Key(b)
}
