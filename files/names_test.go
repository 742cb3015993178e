package files

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	long200 := strings.Repeat("a", 196) + ".txt"
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "report.pdf", "report.pdf"},
		{"parent traversal", "../../x", "x"},
		{"absolute unix", "/etc/passwd", "passwd"},
		{"windows drive", `C:\x`, "x"},
		{"mixed separators", `a/b\c`, "c"},
		{"trailing separator", "dir/", "file"},
		{"device name", "CON", "_CON"},
		{"device name with extension", "con.txt", "_con.txt"},
		{"device name with two extensions", "Nul.tar.gz", "_Nul.tar.gz"},
		{"device name with trailing space", "aux .txt", "_aux .txt"},
		{"numbered device", "lpt9", "_lpt9"},
		{"superscript device", "COM¹.log", "_COM¹.log"},
		{"device-like but longer", "CONSOLE.txt", "CONSOLE.txt"},
		{"com without digit", "COM.txt", "COM.txt"},
		{"rtl override", "a\u202Etxt.exe", "atxt.exe"},
		{"bidi isolates and marks", "\u2066a\u2069\u200Eb\u200F\uFEFFc", "abc"},
		{"control characters", "a\x00b\x1fc\x7fd\u0085e\nf\tg", "abcdefg"},
		{"windows forbidden", `a<b>c:d"e|f?g*h`, "a_b_c_d_e_f_g_h"},
		{"dot-dot", "..", "file"},
		{"dot", ".", "file"},
		{"empty", "", "file"},
		{"spaces and dot", "   .", "file"},
		{"only dots", "...", "file"},
		{"trailing dots and spaces", "name. . ", "name"},
		{"leading spaces", "  name", "name"},
		{"hidden file kept", ".bashrc", ".bashrc"},
		{"invalid utf-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"surrogate encoding", "a\xed\xa0\x80", "a\uFFFD\uFFFD\uFFFD"},
		{"exactly 200 bytes", long200, long200},
		{"300 chars keep extension", strings.Repeat("b", 296) + ".txt", strings.Repeat("b", 196) + ".txt"},
		{"10000 chars keep extension", strings.Repeat("c", 9995) + ".docx", strings.Repeat("c", 195) + ".docx"},
		{"long extension not kept", strings.Repeat("d", 300) + "." + strings.Repeat("e", 20), strings.Repeat("d", 200)},
		{"cut on rune boundary", strings.Repeat("é", 150) + ".txt", strings.Repeat("é", 98) + ".txt"},
		{"cut exposes trailing spaces", "x" + strings.Repeat(" ", 300) + "y", "x"},
		{"cut exposes device name", "con" + strings.Repeat(" ", 300) + "y", "_con"},
		{"prefix pushes past cap", "CON." + strings.Repeat("f", 196), "_CON." + strings.Repeat("f", 195)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SafeName(tt.in)
			if got != tt.want {
				t.Errorf("SafeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkSafeName(t, tt.in, got)
		})
	}
}

// checkSafeName asserts the properties every SafeName result must have.
func checkSafeName(t *testing.T, in, got string) {
	t.Helper()
	if got == "" || len(got) > maxNameBytes || !utf8.ValidString(got) {
		t.Fatalf("SafeName(%q) = %q: empty, too long or invalid UTF-8", in, got)
	}
	if got == "." || got == ".." || strings.ContainsAny(got, "/\\<>:\"|?*") {
		t.Fatalf("SafeName(%q) = %q: separator, dot name or forbidden character", in, got)
	}
	for _, r := range got {
		if unicode.IsControl(r) || isBidiOrFormat(r) {
			t.Fatalf("SafeName(%q) = %q: contains %U", in, got, r)
		}
	}
	if got[0] == ' ' || strings.HasSuffix(got, " ") || strings.HasSuffix(got, ".") {
		t.Fatalf("SafeName(%q) = %q: leading space or trailing space/dot", in, got)
	}
	if isReservedName(got) {
		t.Fatalf("SafeName(%q) = %q: reserved device name", in, got)
	}
	if again := SafeName(got); again != got {
		t.Fatalf("SafeName not idempotent: %q -> %q -> %q", in, got, again)
	}
}

func TestCheckRelPath(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"single", "a.txt", true},
		{"nested", "a/b/c.txt", true},
		{"hidden", ".git/config", true},
		{"empty", "", false},
		{"leading slash", "/a", false},
		{"trailing slash", "a/", false},
		{"double slash", "a//b", false},
		{"dot", "a/./b", false},
		{"dot-dot", "a/../b", false},
		{"backslash", `a\b`, false},
		{"unsafe component", "a/b:c", false},
		{"device", "a/nul.txt", false},
		{"trailing dot", "a./b", false},
		{"at the limit", strings.Repeat("a/", MaxPathBytes/2-1) + "ab", true},
		{"over the limit", strings.Repeat("a/", MaxPathBytes/2) + "a", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRelPath(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckRelPath(%q) = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrUnsafePath) {
				t.Errorf("error %v does not wrap ErrUnsafePath", err)
			}
		})
	}
}

func TestSafeRelPath(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{"clean", "a/b.txt", "a/b.txt", false},
		{"traversal dropped", "../../etc/passwd", "etc/passwd", false},
		{"inner dot-dot dropped not resolved", "a/../b", "a/b", false},
		{"absolute", "/abs/x", "abs/x", false},
		{"windows", `C:\Users\x`, "C_/Users/x", false},
		{"empty components", "a//./b/", "a/b", false},
		{"device component", "con/aux.txt", "_con/_aux.txt", false},
		{"empty", "", "", true},
		{"only traversal", "../..//./", "", true},
		{"too long", strings.Repeat("abc/", 400), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SafeRelPath(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrUnsafePath) {
					t.Fatalf("SafeRelPath(%q) = %q, %v; want ErrUnsafePath", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("SafeRelPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if err := CheckRelPath(got); err != nil {
				t.Errorf("result fails CheckRelPath: %v", err)
			}
		})
	}
}
