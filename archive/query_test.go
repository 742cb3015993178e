package archive

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"budget review", []string{"budget", "review"}},
		{`  "lunch at noon"  Bob `, []string{"lunch at noon", "Bob"}},
		{`"unterminated phrase`, []string{"unterminated phrase"}},
		{`a "" b`, []string{"a", "b"}},
		{"NEAR(x y) OR -z*", []string{"NEAR(x", "y)", "OR", "-z*"}},
		{"会議室 予約", []string{"会議室", "予約"}},
		{"tab\there\nnewline", []string{"tab", "here", "newline"}},
		{"dup dup", []string{"dup"}},
		{"cafe\u0301", []string{"café"}},
		{"bad\xffutf8", []string{"bad", "utf8"}},
		{"", nil},
		{`"`, nil},
	} {
		if got := ParseQuery(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("ParseQuery(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := len(ParseQuery(strings.Repeat("w ", 100))); n != 1 {
		t.Errorf("%d terms", n)
	}
	many := ""
	for i := range 40 {
		many += string(rune('a'+i%26)) + strings.Repeat("x", i) + " "
	}
	if n := len(ParseQuery(many)); n != MaxQueryTerms {
		t.Errorf("%d terms, want %d", n, MaxQueryTerms)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"budget", `"a b" c`, `"`, "\x00", "会議", strings.Repeat("é", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms := ParseQuery(s)
		if len(terms) > MaxQueryTerms {
			t.Fatalf("%d terms", len(terms))
		}
		for _, term := range terms {
			if term == "" || len(term) > MaxTermBytes || !utf8.ValidString(term) || strings.TrimSpace(term) != term {
				t.Fatalf("bad term %q", term)
			}
			if strings.ContainsAny(term, "\"\x00\n") {
				t.Fatalf("term %q keeps syntax or control characters", term)
			}
		}
		_ = Snippet(s, terms, 40)
	})
}

func TestSnippet(t *testing.T) {
	for _, tc := range []struct {
		text  string
		terms []string
		width int
		want  string
	}{
		{"Lunch at noon?", []string{"lunch"}, 0, "«Lunch» at noon?"},
		{"The Café on Main", []string{"cafe"}, 0, "The «Café» on Main"},
		{"会議室を予約しました", []string{"予約"}, 0, "会議室を«予約»しました"},
		{"budget and BUDGET", []string{"budget"}, 0, "«budget» and «BUDGET»"},
		{"ticket HW-4711\nis fixed", []string{"4711", "fixed"}, 0, "ticket HW-«4711» is «fixed»"},
		{"overlapping aaa", []string{"aa"}, 0, "overlapping «aaa»"},
		{"no match here", []string{"zebra"}, 0, "no match here"},
		{strings.Repeat("word ", 30) + "needle " + strings.Repeat("tail ", 30), []string{"needle"}, 40,
			"…word word «needle» tail tail tail tail…"},
	} {
		if got := Snippet(tc.text, tc.terms, tc.width); got != tc.want {
			t.Errorf("Snippet(%q, %q) = %q, want %q", tc.text, tc.terms, got, tc.want)
		}
	}
}
