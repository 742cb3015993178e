package crypto

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	ic "github.com/libp2p/go-libp2p/core/crypto"
)

// testSeed is the Ed25519 seed 00 01 02 ... 1f.
func testSeed() []byte {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	return seed
}

func testIdentity(t testing.TB) ic.PrivKey {
	t.Helper()
	priv, err := ic.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(testSeed()))
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// Known answers were computed once with an independent implementation of
// the format and are pinned so the fingerprint of a key never changes.
const (
	testPubMarshalledHex = "0801122003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
	testFingerprint      = "79301 56109 40029 74560 66841 23098"
)

func TestFingerprintKnownAnswers(t *testing.T) {
	pub := testIdentity(t).GetPublic()
	marshalled, err := ic.MarshalPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(marshalled); got != testPubMarshalledHex {
		t.Fatalf("marshalled test key = %s, want %s", got, testPubMarshalledHex)
	}

	tests := []struct {
		name string
		got  string
		want string
	}{
		{name: "Fingerprint of seed key", got: Fingerprint(pub), want: testFingerprint},
		{name: "FingerprintBytes of seed key", got: FingerprintBytes(marshalled), want: testFingerprint},
		{name: "FingerprintBytes of nothing", got: FingerprintBytes(nil), want: "86910 49606 29415 56684 16580 48447"},
		{name: "leading zeros are kept", got: FingerprintBytes([]byte{137}), want: "00985 93692 64874 29538 42482 93180"},
		{name: "nil key", got: Fingerprint(nil), want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
			if tc.want != "" {
				if err := CheckFingerprint(tc.got); err != nil {
					t.Errorf("CheckFingerprint(%q) = %v", tc.got, err)
				}
			}
		})
	}
}

func TestDammKnownValues(t *testing.T) {
	tests := []struct {
		digits string
		want   byte
	}{
		{"", 0},
		{"0", 0},
		{"1", 3},
		{"572", 4},
		{"5724", 0},
		{"0000", 0},
		{"1234", 0},
		{"9999", 2},
		{"112946", 0},
	}
	for _, tc := range tests {
		t.Run("digits "+tc.digits, func(t *testing.T) {
			if got := dammInterim(tc.digits); got != tc.want {
				t.Errorf("dammInterim(%q) = %d, want %d", tc.digits, got, tc.want)
			}
		})
	}
}

// TestDammTableProperties guards the table against transcription errors:
// the detection guarantees hold exactly when it is a quasigroup with a zero
// diagonal that is weakly totally anti-symmetric.
func TestDammTableProperties(t *testing.T) {
	for i := 0; i < 10; i++ {
		var row, col [10]bool
		for j := 0; j < 10; j++ {
			row[dammTable[i][j]] = true
			col[dammTable[j][i]] = true
		}
		for v := 0; v < 10; v++ {
			if !row[v] || !col[v] {
				t.Fatalf("row or column %d is not a permutation of 0-9", i)
			}
		}
		if dammTable[i][i] != 0 {
			t.Errorf("diagonal entry %d is %d, want 0", i, dammTable[i][i])
		}
	}
	for c := 0; c < 10; c++ {
		for x := 0; x < 10; x++ {
			for y := 0; y < 10; y++ {
				if x != y && dammTable[dammTable[c][x]][y] == dammTable[dammTable[c][y]][x] {
					t.Errorf("not weakly totally anti-symmetric at c=%d x=%d y=%d", c, x, y)
				}
			}
		}
	}
}

// TestDammDetectsAllGroupErrors checks every possible group exhaustively.
func TestDammDetectsAllGroupErrors(t *testing.T) {
	for n := 0; n < 10000; n++ {
		data := fmt.Sprintf("%04d", n)
		group := []byte(data + string('0'+dammInterim(data)))
		for pos := range group {
			orig := group[pos]
			for d := byte('0'); d <= '9'; d++ {
				if d == orig {
					continue
				}
				group[pos] = d
				if dammInterim(string(group)) == 0 {
					t.Fatalf("single-digit error in %s at %d to %c not detected", data, pos, d)
				}
			}
			group[pos] = orig
		}
		for pos := 0; pos+1 < len(group); pos++ {
			if group[pos] == group[pos+1] {
				continue
			}
			group[pos], group[pos+1] = group[pos+1], group[pos]
			if dammInterim(string(group)) == 0 {
				t.Fatalf("transposition in %s at %d not detected", data, pos)
			}
			group[pos], group[pos+1] = group[pos+1], group[pos]
		}
	}
}

func TestCheckFingerprintFindsMisreadGroup(t *testing.T) {
	fp := []byte(testFingerprint)
	for i := range fp {
		if fp[i] == ' ' {
			continue
		}
		group := i/(fingerprintGroupLen+1) + 1
		wantMsg := fmt.Sprintf("group %d does not check: a digit was misread", group)
		orig := fp[i]
		for d := byte('0'); d <= '9'; d++ {
			if d == orig {
				continue
			}
			fp[i] = d
			err := CheckFingerprint(string(fp))
			if err == nil || !strings.Contains(err.Error(), wantMsg) {
				t.Errorf("digit %d changed to %c: error = %v, want %q", i, d, err, wantMsg)
			}
		}
		fp[i] = orig
		if i+1 < len(fp) && fp[i+1] != ' ' && fp[i] != fp[i+1] {
			fp[i], fp[i+1] = fp[i+1], fp[i]
			err := CheckFingerprint(string(fp))
			if err == nil || !strings.Contains(err.Error(), wantMsg) {
				t.Errorf("digits %d,%d swapped: error = %v, want %q", i, i+1, err, wantMsg)
			}
			fp[i], fp[i+1] = fp[i+1], fp[i]
		}
	}
}

func TestCheckFingerprint(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		wantError string // "" means valid
	}{
		{name: "canonical", input: testFingerprint},
		{name: "dashes", input: "79301-56109-40029-74560-66841-23098"},
		{name: "no separators", input: "793015610940029745606684123098"},
		{name: "mixed and padded", input: "  79301 - 56109\t40029-74560  66841 23098\n"},
		{name: "empty", input: "", wantError: "0 groups"},
		{name: "five groups", input: "79301 56109 40029 74560 66841", wantError: "5 groups"},
		{name: "seven groups", input: testFingerprint + " 00000", wantError: "7 groups"},
		{name: "short group", input: "79301 5610 40029 74560 66841 23098", wantError: "group 2 has 4 digits"},
		{name: "long group", input: "79301 56109 400290 74560 66841 23098", wantError: "group 3 has 6 digits"},
		{name: "letter", input: "79301 56109 40029 7456O 66841 23098", wantError: `group 4 contains 'O'`},
		{name: "non-ASCII", input: "79301 56109 40029 74560 66841 2309٨", wantError: "group 6 contains '٨'"},
		{name: "bad check digit", input: "79301 56109 40028 74560 66841 23098", wantError: "group 3 does not check: a digit was misread"},
		{name: "run together with a missing digit", input: "79301561094002974560668412309", wantError: "1 groups"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckFingerprint(tc.input)
			if tc.wantError == "" {
				if err != nil {
					t.Errorf("CheckFingerprint(%q) = %v, want nil", tc.input, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantError) {
				t.Errorf("CheckFingerprint(%q) = %v, want error containing %q", tc.input, err, tc.wantError)
			}
		})
	}
}

func TestFingerprintMatches(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{name: "identical", a: testFingerprint, b: testFingerprint, want: true},
		{name: "different separators", a: testFingerprint, b: "79301-56109-40029-74560-66841-23098", want: true},
		{name: "no separators", a: "793015610940029745606684123098", b: testFingerprint, want: true},
		{name: "different keys", a: testFingerprint, b: FingerprintBytes(nil), want: false},
		{name: "same invalid string", a: "79301 56109 40028 74560 66841 23098", b: "79301 56109 40028 74560 66841 23098", want: false},
		{name: "both empty", a: "", b: "", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FingerprintMatches(tc.a, tc.b); got != tc.want {
				t.Errorf("FingerprintMatches(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestShortFingerprint(t *testing.T) {
	tests := []struct {
		name, full, want string
	}{
		{name: "canonical", full: testFingerprint, want: "79301-56109"},
		{name: "leading space and dashes", full: " 79-301-56109 40029", want: "79301-56109"},
		{name: "one group", full: "79301", want: "79301"},
		{name: "too short", full: "793", want: "793"},
		{name: "empty", full: "", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ShortFingerprint(tc.full); got != tc.want {
				t.Errorf("ShortFingerprint(%q) = %q, want %q", tc.full, got, tc.want)
			}
		})
	}
}

func TestFingerprintPrefix(t *testing.T) {
	for _, tc := range []struct {
		in     string
		digits string
		groups int
		ok     bool
	}{
		{in: "79301", digits: "79301", groups: 1, ok: true},
		{in: "79301-56109", digits: "7930156109", groups: 2, ok: true},
		{in: "79301 56109", digits: "7930156109", groups: 2, ok: true},
		{in: "7930156109", digits: "7930156109", groups: 2, ok: true},
		{in: testFingerprint, digits: "793015610940029745606684123098", groups: 6, ok: true},
		{in: testFingerprint + " 12345"},
		{in: "7930"},
		{in: "79301-5610"},
		{in: "79301-5610x"},
		{in: "٧٩٣٠١"},
		{in: ""},
	} {
		digits, groups, ok := FingerprintPrefix(tc.in)
		if digits != tc.digits || groups != tc.groups || ok != tc.ok {
			t.Errorf("FingerprintPrefix(%q) = %q, %d, %v; want %q, %d, %v", tc.in, digits, groups, ok, tc.digits, tc.groups, tc.ok)
		}
	}
	if !FingerprintHasPrefix(testFingerprint, "7930156109") || FingerprintHasPrefix(testFingerprint, "7930156108") || FingerprintHasPrefix(testFingerprint, "") {
		t.Error("FingerprintHasPrefix is wrong")
	}
}

func FuzzCheckFingerprint(f *testing.F) {
	f.Add(testFingerprint)
	f.Add("79301-56109-40029-74560-66841-23098")
	f.Add("793015610940029745606684123098")
	f.Add("79301 56109 40028 74560 66841 23098")
	f.Add("")
	f.Add("٨٨٨٨٨ 56109")
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckFingerprint(s)
		_ = ShortFingerprint(s)
		if err != nil {
			if FingerprintMatches(s, s) {
				t.Fatalf("invalid fingerprint %q matches itself", s)
			}
			return
		}
		if !FingerprintMatches(s, s) {
			t.Fatalf("valid fingerprint %q does not match itself", s)
		}
		canonical, err := normalizeFingerprint(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(canonical) != fingerprintGroups*fingerprintGroupLen {
			t.Fatalf("normalised %q to %d digits", s, len(canonical))
		}
		short := canonical[:fingerprintGroupLen] + "-" + canonical[fingerprintGroupLen:2*fingerprintGroupLen]
		if got := ShortFingerprint(s); got != short {
			t.Fatalf("ShortFingerprint(%q) = %q, want %q", s, got, short)
		}
		digits, groups, ok := FingerprintPrefix(short)
		if !ok || groups != 2 || !FingerprintHasPrefix(s, digits) {
			t.Fatalf("FingerprintPrefix(%q) = %q, %d, %v; not a prefix of %q", short, digits, groups, ok, s)
		}
	})
}
