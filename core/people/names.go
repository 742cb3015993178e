package people

import (
	"strings"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// nameKey folds the differences a reader does not see: case, compatibility
// forms (full-width letters, ligatures), spacing, and letters of other
// scripts that look like these (the Unicode confusable skeleton), so that
// "Ann", "ANN", "Аnn" with a Cyrillic А and "Ａｎｎ" share one key, as do
// "paypal" and "paypa1". Two names with one key may look the same.
func nameKey(name string) string {
	s := strings.ToLower(norm.NFKC.String(name))
	// The skeleton may map a letter to an upper-case one; fold again and
	// take the skeleton of that, so the key is the same whatever the case.
	s = confusables.Skeleton(s)
	s = confusables.Skeleton(strings.ToLower(s))
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// sameName reports whether two display names may look the same to a reader.
func sameName(a, b string) bool {
	ka := nameKey(a)
	return ka != "" && ka == nameKey(b)
}
