package crypto

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/pnet"
)

// testWorkspaceKey is the key 00 01 02 ... 1f.
func testWorkspaceKey() WorkspaceKey {
	var k WorkspaceKey
	for i := range k {
		k[i] = byte(i)
	}
	return k
}

const (
	testKeyHex   = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	testSwarmKey = "/key/swarm/psk/1.0.0/\n/base16/\n" + testKeyHex + "\n"
	testTag      = "0888226514ffa97d"
	testGeneral  = "46975a0626a309b79862cbdb1fbba106399ce321d3a34da64901a57d254aa31d"
)

func randomWorkspaceKey(t testing.TB) WorkspaceKey {
	t.Helper()
	k, err := NewWorkspaceKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestWorkspaceKeyKnownAnswers(t *testing.T) {
	k := testWorkspaceKey()
	general := k.DeriveKey("general")
	tests := []struct {
		name, got, want string
	}{
		{name: "SwarmKey", got: string(k.SwarmKey()), want: testSwarmKey},
		{name: "PSK", got: hex.EncodeToString(k.PSK()), want: testKeyHex},
		{name: "Tag", got: k.Tag(), want: testTag},
		{name: "DeriveKey general", got: hex.EncodeToString(general[:]), want: testGeneral},
		// An independent HKDF-SHA256 with one HMAC block: salt nil means a
		// zero salt of hash length.
		{name: "Tag matches RFC 5869 construction", got: k.Tag(), want: hex.EncodeToString(hkdfOneBlock(k[:], "hallway workspace tag v1")[:8])},
		{name: "DeriveKey matches RFC 5869 construction", got: hex.EncodeToString(general[:]), want: hex.EncodeToString(hkdfOneBlock(k[:], "hallway general"))},
		{name: "String hides the key", got: k.String(), want: "WorkspaceKey(tag " + testTag + ")"},
		{name: "fmt verb v hides the key", got: fmt.Sprintf("%v", k), want: "WorkspaceKey(tag " + testTag + ")"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func hkdfOneBlock(secret []byte, info string) []byte {
	extract := hmac.New(sha256.New, make([]byte, sha256.Size))
	extract.Write(secret)
	expand := hmac.New(sha256.New, extract.Sum(nil))
	expand.Write([]byte(info))
	expand.Write([]byte{1})
	return expand.Sum(nil)
}

func TestSwarmKeyRoundTrip(t *testing.T) {
	for i := 0; i < 20; i++ {
		k := randomWorkspaceKey(t)
		got, err := ParseSwarmKey(k.SwarmKey())
		if err != nil {
			t.Fatalf("ParseSwarmKey(SwarmKey()) = %v", err)
		}
		if got != k {
			t.Fatal("swarm key round trip changed the key")
		}
		// libp2p's own decoder must read our files, so kubo users can share
		// a workspace key with us.
		psk, err := pnet.DecodeV1PSK(bytes.NewReader(k.SwarmKey()))
		if err != nil {
			t.Fatalf("pnet.DecodeV1PSK: %v", err)
		}
		if !bytes.Equal(psk, k.PSK()) {
			t.Fatal("libp2p decodes a different key from our swarm.key")
		}
	}
}

func TestParseSwarmKey(t *testing.T) {
	const header = "/key/swarm/psk/1.0.0/"
	upperHex := strings.ToUpper(testKeyHex)
	tests := []struct {
		name      string
		input     string
		wantError string // "" means it parses to testWorkspaceKey
	}{
		{name: "kubo format", input: testSwarmKey},
		{name: "CRLF", input: header + "\r\n/base16/\r\n" + testKeyHex + "\r\n"},
		{name: "no final newline", input: header + "\n/base16/\n" + testKeyHex},
		{name: "trailing whitespace", input: header + "  \n/base16/\t\n" + testKeyHex + " \n\n  \n"},
		{name: "upper-case hex", input: header + "\n/base16/\n" + upperHex + "\n"},
		{name: "empty", input: "", wantError: "first line must be"},
		{name: "only the hex", input: testKeyHex + "\n", wantError: "first line must be"},
		{name: "wrong header version", input: "/key/swarm/psk/2.0.0/\n/base16/\n" + testKeyHex + "\n", wantError: "first line must be"},
		{name: "leading space", input: " " + testSwarmKey, wantError: "first line must be"},
		{name: "header only", input: header + "\n", wantError: "missing encoding line"},
		{name: "base64 encoding", input: header + "\n/base64/\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", wantError: "second line must be"},
		{name: "binary encoding", input: header + "\n/bin/\n" + string(testWorkspaceKey().PSK()), wantError: "second line must be"},
		{name: "missing key", input: header + "\n/base16/\n", wantError: "missing key line"},
		{name: "short hex", input: header + "\n/base16/\n" + testKeyHex[:62] + "\n", wantError: "has 62 characters, want 64"},
		{name: "long hex", input: header + "\n/base16/\n" + testKeyHex + "00\n", wantError: "has 66 characters, want 64"},
		{name: "non-hex", input: header + "\n/base16/\n" + testKeyHex[:63] + "g\n", wantError: "not hex"},
		{name: "blank line before key", input: header + "\n/base16/\n\n" + testKeyHex + "\n", wantError: "unexpected lines"},
		{name: "extra line", input: testSwarmKey + "more\n", wantError: "unexpected lines"},
		{name: "too long", input: testSwarmKey + strings.Repeat(" ", maxSwarmKeyFile), wantError: "too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParseSwarmKey([]byte(tc.input))
			if tc.wantError == "" {
				if err != nil {
					t.Fatalf("ParseSwarmKey = %v", err)
				}
				if k != testWorkspaceKey() {
					t.Fatalf("ParseSwarmKey = %x, want %s", k[:], testKeyHex)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantError) {
				t.Fatalf("ParseSwarmKey error = %v, want one containing %q", err, tc.wantError)
			}
			if strings.Contains(err.Error(), testKeyHex[:16]) {
				t.Errorf("error %q repeats key material", err)
			}
		})
	}
}

func TestWorkspaceTag(t *testing.T) {
	a, b := randomWorkspaceKey(t), randomWorkspaceKey(t)
	tests := []struct {
		name string
		key  WorkspaceKey
	}{
		{name: "fixed key", key: testWorkspaceKey()},
		{name: "random key a", key: a},
		{name: "random key b", key: b},
		{name: "zero key", key: WorkspaceKey{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tag := tc.key.Tag()
			if tag != tc.key.Tag() {
				t.Error("Tag is not stable")
			}
			if len(tag) != 16 || strings.Trim(tag, "0123456789abcdef") != "" {
				t.Errorf("Tag = %q, want 16 lower-case hex characters", tag)
			}
			if tag == OpenWorkspaceTag {
				t.Error("Tag collides with OpenWorkspaceTag")
			}
			if strings.Contains(hex.EncodeToString(tc.key[:]), tag) {
				t.Error("Tag is a substring of the key")
			}
		})
	}
	if a.Tag() == b.Tag() {
		t.Error("two random keys have the same tag")
	}
}

func TestDeriveKeySeparatesLabels(t *testing.T) {
	k := testWorkspaceKey()
	seen := map[[32]byte]string{}
	for _, label := range []string{"general", "General", "general ", "", "tag v1", "dm"} {
		d := k.DeriveKey(label)
		if prev, dup := seen[d]; dup {
			t.Errorf("labels %q and %q derive the same key", prev, label)
		}
		seen[d] = label
		if d == [32]byte(k) {
			t.Errorf("label %q derives the workspace key itself", label)
		}
	}
	if other := randomWorkspaceKey(t); other.DeriveKey("general") == k.DeriveKey("general") {
		t.Error("different workspace keys derive the same subkey")
	}
}

func TestLoadWriteWorkspaceKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "swarm.key")

	if _, ok, err := LoadWorkspaceKey(path); ok || err != nil {
		t.Fatalf("missing file: ok=%v err=%v, want false, nil", ok, err)
	}
	k := randomWorkspaceKey(t)
	if err := WriteWorkspaceKey(path, k); err != nil {
		t.Fatalf("WriteWorkspaceKey: %v", err)
	}
	if runtime.GOOS != "windows" {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != 0o600 {
			t.Errorf("swarm.key mode = %04o, want 0600", got)
		}
	}
	got, ok, err := LoadWorkspaceKey(path)
	if err != nil || !ok {
		t.Fatalf("LoadWorkspaceKey: ok=%v err=%v", ok, err)
	}
	if got != k {
		t.Fatal("loaded key differs from the written one")
	}

	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := LoadWorkspaceKey(path); ok || err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("corrupt file: ok=%v err=%v, want an error naming the file", ok, err)
	}
}

func FuzzParseSwarmKey(f *testing.F) {
	f.Add([]byte(testSwarmKey))
	f.Add([]byte(strings.ReplaceAll(testSwarmKey, "\n", "\r\n")))
	f.Add([]byte("/key/swarm/psk/1.0.0/\n/base64/\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"))
	f.Add([]byte("/key/swarm/psk/1.0.0/\n/base16/\n"))
	f.Add([]byte(""))
	f.Add([]byte("\n\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseSwarmKey(b)
		if err != nil {
			return
		}
		again, err := ParseSwarmKey(k.SwarmKey())
		if err != nil {
			t.Fatalf("re-encoded key does not parse: %v", err)
		}
		if again != k {
			t.Fatal("re-encoded key parses to a different key")
		}
	})
}
