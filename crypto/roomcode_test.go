package crypto

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"hallway/chat"
)

// katRoomInvite is RoomInviteCode(katRoom, "Café ☕", katRoomKey()) as the
// independent implementation writes it; codes already handed out must
// keep working.
const (
	katRoomInvite     = "HWR1-0446P-RBM5N-S6YVV-D151P-2SP3N-4GE56-4NM2G-T58X4-MPKAF-A59NA-NTSBD-ENYRB-3CNKP-JTVDD-XRQ6X-BQF5X-QTZZG-VQ7MC"
	katRoomInviteName = "Café ☕"
	roomInviteBody    = len("HWR1-")
)

// rawRoomInvite writes a code with a correct checksum around any content,
// to reach the checks that run after the checksum.
func rawRoomInvite(content []byte) string {
	payload := append(append([]byte(nil), content...), roomInviteChecksum(content)...)
	return formatInvite(roomInvitePrefix, payload)
}

func roomInviteContent(version byte, id, name string, key RoomKey) []byte {
	out := []byte{version, byte(len(id))}
	out = append(out, id...)
	out = append(out, byte(len(name)))
	out = append(out, name...)
	return append(out, key[:]...)
}

// The format is pinned by a known answer whose room id, "kat-room", is
// not one a node makes: it encodes and decodes, and ParseRoomInviteCode
// then refuses it.
func TestRoomInviteCodeKnownAnswer(t *testing.T) {
	if got := encodeRoomInvite(katRoom, katRoomInviteName, katRoomKey()); got != katRoomInvite {
		t.Errorf("encodeRoomInvite =\n%s\nwant\n%s", got, katRoomInvite)
	}
	if id, name, key, err := parseRoomInvite(katRoomInvite); err != nil || id != katRoom || name != katRoomInviteName || key != katRoomKey() {
		t.Errorf("parseRoomInvite(pinned) = %q %q, %v", id, name, err)
	}
	if _, _, _, err := ParseRoomInviteCode(katRoomInvite); !errors.Is(err, chat.ErrBadRoomID) {
		t.Errorf("a code for room id %q: %v, want refused", katRoom, err)
	}
	if got := RoomInviteCode(katRoom, katRoomInviteName, katRoomKey()); got != "" {
		t.Errorf("a code made for room id %q", katRoom)
	}
	longest := encodeRoomInvite(strings.Repeat("a", maxRoomIDLen), strings.Repeat("n", MaxRoomInviteName), katRoomKey())
	if len(longest) != 326 {
		t.Errorf("longest code has %d characters, the limits assume 326", len(longest))
	}
}

func TestRoomInviteCodeRoundTrip(t *testing.T) {
	id, err := NewRoomID()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		id       string
		roomName string
		wantName string
	}{
		{name: "random id", id: id, roomName: "Design review", wantName: "Design review"},
		{name: "empty name", id: id, roomName: "", wantName: ""},
		{name: "longest name", id: id, roomName: strings.Repeat("n", 64), wantName: strings.Repeat("n", 64)},
		{name: "long name truncated", id: id, roomName: strings.Repeat("n", 100), wantName: strings.Repeat("n", 64)},
		// 21 three-byte characters fill 63 bytes; the 22nd would split.
		{name: "truncated on a character boundary", id: id, roomName: strings.Repeat("☕", 30), wantName: strings.Repeat("☕", 21)},
		{name: "invalid UTF-8 replaced", id: id, roomName: "a\xffb", wantName: "a\uFFFDb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := randomRoomKey(t)
			code := RoomInviteCode(tc.id, tc.roomName, key)
			gotID, gotName, gotKey, err := ParseRoomInviteCode(code)
			if err != nil {
				t.Fatalf("ParseRoomInviteCode(%q) = %v", code, err)
			}
			if gotID != tc.id || gotName != tc.wantName || gotKey != key {
				t.Errorf("round trip gave id %q name %q, want %q %q (key equal: %v)",
					gotID, gotName, tc.id, tc.wantName, gotKey == key)
			}
			if !utf8.ValidString(gotName) {
				t.Error("name is not valid UTF-8")
			}
		})
	}
	if code := RoomInviteCode("Not Valid", "x", katRoomKey()); code != "" {
		t.Errorf("invalid id gave code %q, want \"\"", code)
	}
}

func TestParseRoomInviteCodeForgiving(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{name: "as printed", input: katRoomInvite},
		{name: "lower case", input: strings.ToLower(katRoomInvite)},
		{name: "spaces instead of dashes", input: strings.ReplaceAll(katRoomInvite, "-", " ")},
		{name: "no separators", input: strings.ReplaceAll(katRoomInvite, "-", "")},
		{name: "wrapped over lines", input: katRoomInvite[:40] + "\r\n" + katRoomInvite[40:] + "\n"},
		{name: "surrounding space", input: "\t " + katRoomInvite + "  "},
		{name: "letter O for zero", input: strings.ReplaceAll(katRoomInvite, "0", "O")},
		{name: "letter I for one", input: strings.ReplaceAll(katRoomInvite, "1", "I")},
		{name: "lower-case l for one", input: strings.ReplaceAll(katRoomInvite, "1", "l")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, name, key, err := parseRoomInvite(tc.input)
			if err != nil {
				t.Fatalf("parseRoomInvite = %v", err)
			}
			if id != katRoom || name != katRoomInviteName || key != katRoomKey() {
				t.Errorf("parsed id %q name %q, want the pinned room", id, name)
			}
		})
	}
}

func TestParseRoomInviteCodeRejects(t *testing.T) {
	key := katRoomKey()
	body := katRoomInvite[roomInviteBody:]
	tests := []struct {
		name      string
		input     string
		wantError string
	}{
		{name: "empty", input: "", wantError: `must start with "HWR1-"`},
		{name: "missing prefix", input: body, wantError: `must start with "HWR1-"`},
		{name: "workspace invite", input: testInvite, wantError: "workspace invite code"},
		{name: "checksum mismatch", input: katRoomInvite[:30] + "T" + katRoomInvite[31:], wantError: "typo"},
		{name: "character lost", input: katRoomInvite[:30] + katRoomInvite[31:], wantError: "typo"},
		{name: "character added", input: katRoomInvite[:30] + "0" + katRoomInvite[30:], wantError: "typo"},
		{name: "zero symbol appended", input: katRoomInvite + "0", wantError: "typo"},
		{name: "too short", input: "HWR1-00000", wantError: "part of it is missing"},
		{name: "too long for any room", input: "HWR1-" + strings.Repeat("0", 300), wantError: "part of it is missing or extra"},
		{name: "letter U", input: "HWR1-U" + body[1:], wantError: `'U' is not used`},
		{name: "non-ASCII", input: katRoomInvite + "é", wantError: `'é' is not used`},
		{name: "input too long", input: katRoomInvite + strings.Repeat(" ", maxRoomInviteInput), wantError: "too long"},
		{name: "unknown version", input: rawRoomInvite(roomInviteContent(2, katRoom, "x", key)), wantError: "version 2"},
		{name: "invalid room id", input: rawRoomInvite(roomInviteContent(1, "Kat", "x", key)), wantError: "room id in the code is invalid"},
		{name: "empty room id", input: rawRoomInvite(roomInviteContent(1, "", "x", key)), wantError: "room id: length 0"},
		{name: "name too long", input: rawRoomInvite(roomInviteContent(1, "a", strings.Repeat("n", 65), key)), wantError: "room name: length 65"},
		{name: "name not UTF-8", input: rawRoomInvite(roomInviteContent(1, katRoom, "\xff", key)), wantError: "not valid UTF-8"},
		{name: "key cut short", input: rawRoomInvite(roomInviteContent(1, katRoom, "xy", key)[:44]), wantError: "room key: truncated"},
		{name: "bytes after the key", input: rawRoomInvite(append(roomInviteContent(1, katRoom, "x", key), 0)), wantError: "1 unexpected bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, _, _, err := ParseRoomInviteCode(tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.wantError) {
				t.Fatalf("ParseRoomInviteCode = %q, %v; want error containing %q", id, err, tc.wantError)
			}
			if !strings.HasPrefix(err.Error(), "parse room invite code: ") {
				t.Errorf("error %q lacks context", err)
			}
			if strings.Contains(err.Error(), body[20:30]) {
				t.Errorf("error %q repeats the code", err)
			}
		})
	}
}

// TestParseRoomInviteCodeDetectsTypos replaces every character with every
// other symbol and swaps every pair of neighbours.
func TestParseRoomInviteCodeDetectsTypos(t *testing.T) {
	code := []byte(katRoomInvite)
	for i := roomInviteBody; i < len(code); i++ {
		if code[i] == '-' {
			continue
		}
		orig := code[i]
		for j := 0; j < len(crockfordAlphabet); j++ {
			if code[i] = crockfordAlphabet[j]; code[i] == orig {
				continue
			}
			if _, _, _, err := ParseRoomInviteCode(string(code)); err == nil {
				t.Errorf("changing position %d from %c to %c went unnoticed", i, orig, code[i])
			}
		}
		code[i] = orig
		if next := i + 1; next < len(code) && code[next] != '-' && code[next] != orig {
			code[i], code[next] = code[next], code[i]
			if _, _, _, err := ParseRoomInviteCode(string(code)); err == nil {
				t.Errorf("swapping positions %d and %d went unnoticed", i, next)
			}
			code[i], code[next] = code[next], code[i]
		}
	}
}

func FuzzParseRoomInviteCode(f *testing.F) {
	f.Add(katRoomInvite)
	f.Add(strings.ToLower(strings.ReplaceAll(katRoomInvite, "-", " ")))
	f.Add(encodeRoomInvite(strings.Repeat("a", 64), strings.Repeat("☕", 21), RoomKey{}))
	f.Add(RoomInviteCode("04ab3xyzkmnpqrstvw0123456w", "project", RoomKey{}))
	f.Add(encodeRoomInvite(katGeneralID, "general", RoomKey{}))
	f.Add(rawRoomInvite(roomInviteContent(1, "Kat", "x", RoomKey{})))
	f.Add(testInvite)
	f.Add("HWR1-")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		id, name, key, err := ParseRoomInviteCode(s)
		if err != nil {
			return
		}
		if chat.CheckInvitedRoomID(id) != nil || len(name) > MaxRoomInviteName || !utf8.ValidString(name) {
			t.Fatalf("parsed invalid room: id %q name %q", id, name)
		}
		id2, name2, key2, err := ParseRoomInviteCode(RoomInviteCode(id, name, key))
		if err != nil {
			t.Fatalf("re-encoded code does not parse: %v", err)
		}
		if id2 != id || name2 != name || key2 != key {
			t.Fatal("re-encoded code parses to a different room")
		}
	})
}

// A code hands over only a room a node made: not a #general, which every
// member derives, and not an id that reads like a name.
func TestRoomInviteCodeRefusesOtherIDs(t *testing.T) {
	key := randomRoomKey(t)
	for _, id := range []string{katGeneralID, "general", "project", strings.Repeat("z", 64)} {
		if code := RoomInviteCode(id, "x", key); code != "" {
			t.Errorf("a code made for room id %q", id)
		}
		if _, _, _, err := ParseRoomInviteCode(encodeRoomInvite(id, "x", key)); !errors.Is(err, chat.ErrBadRoomID) {
			t.Errorf("a code for room id %q: %v, want refused", id, err)
		}
	}
}
