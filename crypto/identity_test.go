package crypto

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	ic "github.com/libp2p/go-libp2p/core/crypto"
)

func TestLoadOrCreateIdentityRoundTrip(t *testing.T) {
	dir := t.TempDir()
	// A nested path checks that first run creates the config directory.
	path := filepath.Join(dir, "config", "identity.key")

	first, created, err := LoadOrCreateIdentity(path)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if !created {
		t.Error("first call: created = false, want true")
	}
	if _, ok := first.(*ic.Ed25519PrivateKey); !ok {
		t.Errorf("created key is %T, want Ed25519", first)
	}
	if runtime.GOOS != "windows" {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != 0o600 {
			t.Errorf("identity file mode = %04o, want 0600", got)
		}
	}

	second, created, err := LoadOrCreateIdentity(path)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if created {
		t.Error("second call: created = true, want false")
	}
	if !first.Equals(second) {
		t.Error("reloaded key differs from the created one")
	}
	if !first.GetPublic().Equals(second.GetPublic()) {
		t.Error("reloaded public key differs from the created one")
	}
}

func TestLoadOrCreateIdentityRejects(t *testing.T) {
	ecdsaKey, _, err := ic.GenerateKeyPairWithReader(ic.ECDSA, 0, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecdsaBytes, err := ic.MarshalPrivateKey(ecdsaKey)
	if err != nil {
		t.Fatal(err)
	}
	goodKey, _, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	goodBytes, err := ic.MarshalPrivateKey(goodKey)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		content    []byte
		perm       os.FileMode
		unixOnly   bool
		wantSubstr string
	}{
		{name: "world readable", content: goodBytes, perm: 0o644, unixOnly: true, wantSubstr: "chmod 600 "},
		{name: "group readable", content: goodBytes, perm: 0o640, unixOnly: true, wantSubstr: "chmod 600 "},
		{name: "garbage", content: []byte("this is not a key\n"), perm: 0o600, wantSubstr: "not a valid private key"},
		{name: "empty file", content: []byte{}, perm: 0o600, wantSubstr: "not a valid private key"},
		{name: "ECDSA key", content: ecdsaBytes, perm: 0o600, wantSubstr: "want Ed25519"},
		{name: "oversized file", content: make([]byte, maxIdentityFileSize+1), perm: 0o600, wantSubstr: "larger than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.unixOnly && runtime.GOOS == "windows" {
				t.Skip("permission bits are not meaningful on Windows")
			}
			path := filepath.Join(t.TempDir(), "identity.key")
			if err := os.WriteFile(path, tc.content, tc.perm); err != nil {
				t.Fatal(err)
			}
			// WriteFile is subject to the umask; force the mode under test.
			if err := os.Chmod(path, tc.perm); err != nil {
				t.Fatal(err)
			}
			key, created, err := LoadOrCreateIdentity(path)
			if err == nil {
				t.Fatalf("LoadOrCreateIdentity succeeded (key %v), want error", key)
			}
			if created {
				t.Error("created = true on failure")
			}
			if !strings.Contains(err.Error(), tc.wantSubstr) {
				t.Errorf("error %q does not mention %q", err, tc.wantSubstr)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			// A refused file must be left alone, not replaced by a new key.
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(tc.content) {
				t.Error("refused identity file was modified")
			}
		})
	}
}

func TestLoadOrCreateIdentityDirectory(t *testing.T) {
	path := t.TempDir()
	if _, _, err := LoadOrCreateIdentity(path); err == nil {
		t.Fatal("loading a directory succeeded, want error")
	}
}
