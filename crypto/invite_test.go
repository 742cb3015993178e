package crypto

import (
	"strings"
	"testing"
)

// Pinned codes, checked against an independent implementation of the
// format; a change here would break every invite already handed out.
const (
	testInvite     = "HW1-04002-0G30G-2GC1R-81450-P30D1-R7H04-8J2CA-1A5GQ-30CHM-6RW3M-F1Y12-116R0"
	zeroKeyInvite  = "HW1-04000-00000-00000-00000-00000-00000-00000-00000-00000-00000-000G3-7EAGG"
	inviteBodyFrom = len("HW1-")
)

func TestInviteCodeKnownAnswers(t *testing.T) {
	tests := []struct {
		name string
		key  WorkspaceKey
		want string
	}{
		{name: "counting key", key: testWorkspaceKey(), want: testInvite},
		{name: "zero key", key: WorkspaceKey{}, want: zeroKeyInvite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.key.InviteCode(); got != tc.want {
				t.Errorf("InviteCode = %q, want %q", got, tc.want)
			}
			got, err := ParseInviteCode(tc.want)
			if err != nil {
				t.Fatalf("ParseInviteCode: %v", err)
			}
			if got != tc.key {
				t.Error("pinned code parses to a different key")
			}
		})
	}
}

func TestInviteCodeRoundTrip(t *testing.T) {
	for i := 0; i < 50; i++ {
		k := randomWorkspaceKey(t)
		code := k.InviteCode()
		got, err := ParseInviteCode(code)
		if err != nil {
			t.Fatalf("ParseInviteCode(%q) = %v", code, err)
		}
		if got != k {
			t.Fatalf("round trip of %q changed the key", code)
		}
	}
}

func TestParseInviteCodeForgiving(t *testing.T) {
	bare := strings.ReplaceAll(testInvite, "-", "")
	tests := []struct {
		name  string
		input string
	}{
		{name: "as printed", input: testInvite},
		{name: "lower case", input: strings.ToLower(testInvite)},
		{name: "spaces instead of dashes", input: strings.ReplaceAll(testInvite, "-", " ")},
		{name: "no separators", input: bare},
		{name: "wrapped over lines", input: testInvite[:30] + "\r\n" + testInvite[30:] + "\n"},
		{name: "surrounding space", input: "  " + testInvite + "\t"},
		{name: "letter O for zero", input: strings.ReplaceAll(testInvite, "0", "O")},
		{name: "lower-case o for zero", input: strings.ReplaceAll(testInvite, "0", "o")},
		{name: "letter I for one", input: strings.ReplaceAll(testInvite, "1", "I")},
		{name: "letter L for one", input: strings.ReplaceAll(testInvite, "1", "L")},
		{name: "lower-case l for one", input: strings.ReplaceAll(testInvite, "1", "l")},
		{name: "doubled dashes", input: strings.ReplaceAll(testInvite, "-", "--")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParseInviteCode(tc.input)
			if err != nil {
				t.Fatalf("ParseInviteCode(%q) = %v", tc.input, err)
			}
			if k != testWorkspaceKey() {
				t.Fatal("parsed a different key")
			}
		})
	}
}

func TestParseInviteCodeRejects(t *testing.T) {
	future := append([]byte{2}, testWorkspaceKey().PSK()...)
	future = append(future, inviteChecksum(2, testWorkspaceKey())...)
	futureCode := "HW1-" + encodeCrockford(future)

	body := testInvite[inviteBodyFrom:]
	tests := []struct {
		name      string
		input     string
		wantError string
	}{
		{name: "empty", input: "", wantError: `must start with "HW1-"`},
		{name: "missing prefix", input: body, wantError: `must start with "HW1-"`},
		{name: "other prefix", input: "HW2-" + body, wantError: `must start with "HW1-"`},
		{name: "truncated", input: testInvite[:len(testInvite)-6], wantError: "has 55 characters"},
		{name: "extra group", input: testInvite + "-00000", wantError: "has 65 characters"},
		{name: "letter U", input: "HW1-U" + body[1:], wantError: `'U' is not used`},
		{name: "punctuation", input: "HW1-" + body[:10] + "." + body[11:], wantError: `'.' is not used`},
		{name: "non-ASCII", input: "HW1-" + body[:10] + "é" + body[11:], wantError: `'é' is not used`},
		{name: "checksum mismatch", input: testInvite[:20] + "S" + testInvite[21:], wantError: "the invite code has a typo"},
		{name: "fill bits set", input: testInvite[:len(testInvite)-1] + "1", wantError: "the invite code has a typo"},
		{name: "unknown version", input: futureCode, wantError: "version 2 is not supported"},
		{name: "too long", input: testInvite + strings.Repeat(" ", maxInviteInput), wantError: "too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParseInviteCode(tc.input)
			if err == nil {
				t.Fatalf("ParseInviteCode(%q) = %x, want error", tc.input, k[:])
			}
			if !strings.Contains(err.Error(), tc.wantError) {
				t.Errorf("error = %q, want it to contain %q", err, tc.wantError)
			}
			if len(tc.input) > 20 && strings.Contains(err.Error(), body[10:20]) {
				t.Errorf("error %q repeats the code", err)
			}
		})
	}
}

// TestParseInviteCodeDetectsEverySubstitution replaces each character of
// the code with every other symbol of the alphabet.
func TestParseInviteCodeDetectsEverySubstitution(t *testing.T) {
	code := []byte(testInvite)
	for i := inviteBodyFrom; i < len(code); i++ {
		if code[i] == '-' {
			continue
		}
		orig := code[i]
		for j := 0; j < len(crockfordAlphabet); j++ {
			c := crockfordAlphabet[j]
			if c == orig {
				continue
			}
			code[i] = c
			if _, err := ParseInviteCode(string(code)); err == nil {
				t.Errorf("changing position %d from %c to %c went unnoticed", i, orig, c)
			}
		}
		code[i] = orig
	}
}

func TestCrockfordRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{name: "empty", in: nil, want: ""},
		{name: "one zero byte", in: []byte{0}, want: "00"},
		{name: "one ff byte", in: []byte{0xff}, want: "ZW"},
		{name: "five bytes fill exactly", in: []byte{0xff, 0xff, 0xff, 0xff, 0xff}, want: "ZZZZZZZZ"},
		{name: "text", in: []byte("f"), want: "CR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := encodeCrockford(tc.in)
			if got != tc.want {
				t.Fatalf("encodeCrockford(%x) = %q, want %q", tc.in, got, tc.want)
			}
			back, err := decodeCrockford([]byte(got))
			if err != nil {
				t.Fatalf("decodeCrockford(%q) = %v", got, err)
			}
			if string(back) != string(tc.in) {
				t.Fatalf("decodeCrockford(%q) = %x, want %x", got, back, tc.in)
			}
		})
	}
}

func FuzzParseInviteCode(f *testing.F) {
	f.Add(testInvite)
	f.Add(zeroKeyInvite)
	f.Add(strings.ToLower(testInvite))
	f.Add(strings.ReplaceAll(testInvite, "-", " "))
	f.Add(testInvite[:len(testInvite)-1] + "1")
	f.Add("HW1-")
	f.Add("")
	f.Add("hw1-ooooo-iiiii-lllll")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseInviteCode(s)
		if err != nil {
			return
		}
		again, err := ParseInviteCode(k.InviteCode())
		if err != nil {
			t.Fatalf("re-encoded invite does not parse: %v", err)
		}
		if again != k {
			t.Fatal("re-encoded invite parses to a different key")
		}
	})
}
