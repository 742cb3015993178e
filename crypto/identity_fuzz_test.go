package crypto

import (
	"os"
	"path/filepath"
	"testing"

	ic "github.com/libp2p/go-libp2p/core/crypto"
)

// FuzzLoadIdentity: an identity file of any content either loads as an
// Ed25519 key or is refused; it is never replaced and never panics.
func FuzzLoadIdentity(f *testing.F) {
	key, _, _ := ic.GenerateEd25519Key(nil)
	good, _ := ic.MarshalPrivateKey(key)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte{})
	f.Add([]byte{0x08, 0x01, 0x12, 0x40})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "identity.key")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		k, created, err := LoadOrCreateIdentity(p)
		if created {
			t.Fatal("an existing file was replaced by a new key")
		}
		if err == nil {
			if _, ok := k.(*ic.Ed25519PrivateKey); !ok {
				t.Fatalf("loaded a %T", k)
			}
		}
	})
}
