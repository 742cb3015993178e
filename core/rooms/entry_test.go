package rooms

import "testing"

func TestShownNameDropsHiddenNames(t *testing.T) {
	for name, want := range map[string]string{
		"Ann":       "Ann",
		"Zoë 王":     "Zoë 王",
		"Ann\u200b": "",
		"\u202eAnn": "",
		"A\u00adnn": "",
		"":          "",
	} {
		if got := shownName(name); got != want {
			t.Errorf("shownName(%+q) = %+q, want %+q", name, got, want)
		}
	}
}
