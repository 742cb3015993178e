package people

import (
	"hallway/lookalike"
)

// sameName reports whether two display names may look the same to a reader.
func sameName(a, b string) bool { return lookalike.Same(a, b) }
