//go:build unix

package files

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// assertEmpty fails if anything was written to dir.
func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Fatalf("%s was written to: %v", dir, ents)
	}
}

func TestDownloadsPlantedSymlinks(t *testing.T) {
	d := openDownloads(t)
	outside := t.TempDir()
	plant := func(name, target string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(d.Dir(), name)); err != nil {
			t.Fatal(err)
		}
	}
	plant("evil", outside)
	plant("rel", "../"+filepath.Base(outside)+"/../"+filepath.Base(outside))
	plant("dangling", filepath.Join(outside, "new"))
	plant(".x.t.partial", filepath.Join(outside, "x"))
	if err := os.WriteFile(filepath.Join(d.Dir(), "victim"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	plant(".y.t.partial", "victim")

	for _, rel := range []string{"evil/x", "evil/sub/x", "rel/x", "x"} {
		t.Run("OpenPartial "+rel, func(t *testing.T) {
			f, _, err := d.OpenPartial(rel, "t")
			if err == nil {
				f.Close()
				t.Fatal("OpenPartial followed a planted symlink")
			}
			assertEmpty(t, outside)
		})
	}
	t.Run("OpenPartial through in-folder symlink", func(t *testing.T) {
		f, _, err := d.OpenPartial("y", "t")
		if !errors.Is(err, ErrNotRegularTarget) {
			if f != nil {
				f.Close()
			}
			t.Fatalf("err = %v, want ErrNotRegularTarget", err)
		}
		if b, _ := os.ReadFile(filepath.Join(d.Dir(), "victim")); string(b) != "keep" {
			t.Fatalf("victim changed to %q", b)
		}
	})

	_, partial := writePartial(t, d, "z", "payload")
	for _, rel := range []string{"evil/z", "rel/z"} {
		t.Run("Finalize into "+rel, func(t *testing.T) {
			if final, err := d.Finalize(partial, rel); err == nil {
				t.Fatalf("Finalize wrote to %q through a symlink", final)
			}
			assertEmpty(t, outside)
		})
	}
	for _, rel := range []string{"evil", "dangling"} {
		t.Run("Finalize onto "+rel, func(t *testing.T) {
			_, partial := writePartial(t, d, "w", "payload")
			final, err := d.Finalize(partial, rel)
			if err != nil || final != rel+" (1)" {
				t.Fatalf("Finalize = %q, %v; want %q", final, err, rel+" (1)")
			}
			if target, err := os.Readlink(filepath.Join(d.Dir(), rel)); err != nil || !strings.HasPrefix(target, outside) {
				t.Fatalf("symlink %s replaced: %q, %v", rel, target, err)
			}
			assertEmpty(t, outside)
		})
	}
}

func writePartial(t *testing.T, d *Downloads, rel, data string) (string, string) {
	t.Helper()
	f, partial, err := d.OpenPartial(rel, "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	return rel, partial
}
