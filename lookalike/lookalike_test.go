package lookalike

import "testing"

func TestSame(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"Ann", "ANN", true},
		{"Ann", "\u0410nn", true}, // Cyrillic А
		{"Ann", "\uff21\uff4e\uff4e", true},
		{"paypal", "paypa1", true},
		{"general", "\u0261eneral", true}, // Latin script ɡ
		{"Ann  Lee", "Ann Lee", true},
		{"Ann", "Bob", false},
		{"", "", false},
	} {
		if got := Same(c.a, c.b); got != c.same {
			t.Errorf("Same(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}
