//go:build unix

package files

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// sharedFolder builds a folder of three files, its manifest and where
// its entries are on disk.
func sharedFolder(t *testing.T) (dir string, m *Manifest, local map[string]string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "shared")
	for rel, data := range map[string]string{"a/b.txt": "bee", "c.txt": "sea", "d:e.txt": "dee"} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, _, err := BuildManifest(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if local, err = LocalPaths(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	return dir, m, local
}

func entryOf(t *testing.T, m *Manifest, path string) int {
	t.Helper()
	for i, e := range m.Entries {
		if e.Path == path {
			return i
		}
	}
	t.Fatalf("no entry %s in %+v", path, m.Entries)
	return -1
}

func readShared(t *testing.T, s *Shared, e int) (string, error) {
	t.Helper()
	f, err := s.Open(e)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	return string(b), err
}

func TestSharedOpensWhatWasOffered(t *testing.T) {
	dir, m, local := sharedFolder(t)
	s, err := OpenShared(dir, m, local)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	safe, _ := SafeRelPath("d:e.txt")
	for path, want := range map[string]string{"a/b.txt": "bee", "c.txt": "sea", safe: "dee"} {
		if got, err := readShared(t, s, entryOf(t, m, path)); err != nil || got != want {
			t.Fatalf("%s: %q, %v", path, got, err)
		}
	}
}

// A symlink planted in a shared folder after it was offered is never
// followed: not to a file outside, not to one inside, not as a folder on
// the way; a fifo does not block, and a file that changed size is
// reported as changed.
func TestSharedRefusesWhatWasPlanted(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	os.WriteFile(secret, []byte("sea"), 0o600) // the size of c.txt
	os.MkdirAll(filepath.Join(outside, "a"), 0o755)
	os.WriteFile(filepath.Join(outside, "a", "b.txt"), []byte("bee"), 0o600)

	for _, tc := range []struct {
		name  string
		entry string
		plant func(dir string) error
		want  error
	}{
		{"file linked outside", "c.txt", func(dir string) error {
			return replace(filepath.Join(dir, "c.txt"), func(p string) error { return os.Symlink(secret, p) })
		}, ErrPlanted},
		{"file linked inside", "c.txt", func(dir string) error {
			return replace(filepath.Join(dir, "c.txt"), func(p string) error { return os.Symlink("a/b.txt", p) })
		}, ErrPlanted},
		{"folder linked outside", "a/b.txt", func(dir string) error {
			return replace(filepath.Join(dir, "a"), func(p string) error { return os.Symlink(filepath.Join(outside, "a"), p) })
		}, ErrPlanted},
		{"folder linked inside", "a/b.txt", func(dir string) error {
			os.MkdirAll(filepath.Join(dir, "z"), 0o755)
			os.WriteFile(filepath.Join(dir, "z", "b.txt"), []byte("bee"), 0o644)
			return replace(filepath.Join(dir, "a"), func(p string) error { return os.Symlink("z", p) })
		}, ErrPlanted},
		{"fifo", "c.txt", func(dir string) error {
			return replace(filepath.Join(dir, "c.txt"), func(p string) error { return syscall.Mkfifo(p, 0o644) })
		}, ErrPlanted},
		{"grown", "c.txt", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "c.txt"), []byte("seas"), 0o644)
		}, ErrChanged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, m, local := sharedFolder(t)
			s, err := OpenShared(dir, m, local)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := tc.plant(dir); err != nil {
				t.Fatal(err)
			}
			got, err := readShared(t, s, entryOf(t, m, tc.entry))
			if !errors.Is(err, tc.want) {
				t.Fatalf("read %q, err %v; want %v", got, err, tc.want)
			}
		})
	}
}

// A single shared file swapped for a symlink is refused too.
func TestSharedFileSwappedForALink(t *testing.T) {
	p := filepath.Join(t.TempDir(), "report.txt")
	os.WriteFile(p, []byte("sea"), 0o644)
	m, _, err := BuildManifest(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("sea"), 0o600)
	s, err := OpenShared(p, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := readShared(t, s, 0); err != nil || got != "sea" {
		t.Fatalf("%q, %v", got, err)
	}
	replace(p, func(p string) error { return os.Symlink(secret, p) })
	if got, err := readShared(t, s, 0); !errors.Is(err, ErrPlanted) {
		t.Fatalf("read %q through a planted link (%v)", got, err)
	}
}

// A staging folder swapped for a symlink is removed as a link: what it
// points to stays.
func TestRemoveAllDoesNotFollowLinks(t *testing.T) {
	d := openDownloads(t)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "keep"), []byte("keep"), 0o644)
	if err := os.Symlink(outside, filepath.Join(d.Dir(), ".stage.t.partial")); err != nil {
		t.Fatal(err)
	}
	if err := d.RemoveAll(".stage.t.partial"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(d.Dir(), ".stage.t.partial")); !os.IsNotExist(err) {
		t.Fatalf("link still there: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(outside, "keep")); err != nil || string(b) != "keep" {
		t.Fatalf("outside changed: %q, %v", b, err)
	}
	if err := d.RemoveAll("../x"); !errors.Is(err, ErrUnsafePath) {
		t.Fatalf("RemoveAll(../x) = %v", err)
	}
}

// replace swaps p for whatever make creates under its name.
func replace(p string, make func(string) error) error {
	if err := os.RemoveAll(p); err != nil {
		return err
	}
	return make(p)
}
