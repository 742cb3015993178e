//go:build unix

package files

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openDownloads(t *testing.T) *Downloads {
	t.Helper()
	d, err := OpenDownloads(filepath.Join(t.TempDir(), "Downloads"))
	if err != nil {
		t.Fatalf("OpenDownloads: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// receive writes data through a partial file and finalizes it as rel.
func receive(t *testing.T, d *Downloads, rel, tag, data string) string {
	t.Helper()
	f, partial, err := d.OpenPartial(rel, tag)
	if err != nil {
		t.Fatalf("OpenPartial(%q): %v", rel, err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	final, err := d.Finalize(partial, rel)
	if err != nil {
		t.Fatalf("Finalize(%q): %v", rel, err)
	}
	return final
}

func TestDownloadsPartialResumeFinalize(t *testing.T) {
	d := openDownloads(t)
	if fi, err := os.Stat(d.Dir()); err != nil || fi.Mode().Perm() != 0o700 || !filepath.IsAbs(d.Dir()) {
		t.Fatalf("downloads folder %q: %v, %v", d.Dir(), fi.Mode(), err)
	}
	const rel = "Project/src/main.go"
	f, partial, err := d.OpenPartial(rel, "t1")
	if err != nil {
		t.Fatalf("OpenPartial: %v", err)
	}
	if want := "Project/src/.main.go.t1.partial"; partial != want {
		t.Errorf("partial = %q, want %q", partial, want)
	}
	if _, err := f.WriteAt([]byte("hello "), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := os.Lstat(filepath.Join(d.Dir(), rel)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("final name visible before Finalize: %v", err)
	}

	// Resuming reopens the same file without truncating it.
	f, again, err := d.OpenPartial(rel, "t1")
	if err != nil || again != partial {
		t.Fatalf("resume: %q, %v", again, err)
	}
	if _, err := f.WriteAt([]byte("world"), 6); err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o111 != 0 {
		t.Errorf("partial mode %v is executable", fi.Mode())
	}
	f.Close()

	final, err := d.Finalize(partial, rel)
	if err != nil || final != rel {
		t.Fatalf("Finalize = %q, %v", final, err)
	}
	got, err := os.ReadFile(filepath.Join(d.Dir(), rel))
	if err != nil || string(got) != "hello world" {
		t.Fatalf("final content %q, %v", got, err)
	}
	if _, err := os.Lstat(filepath.Join(d.Dir(), partial)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("partial still present: %v", err)
	}
}

func TestDownloadsResumeDropsExecuteBit(t *testing.T) {
	d := openDownloads(t)
	_, partial, err := d.OpenPartial("run.sh", "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(d.Dir(), partial), 0o755); err != nil {
		t.Fatal(err)
	}
	f, _, err := d.OpenPartial("run.sh", "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("resumed partial mode %v, %v; want 0644", fi.Mode(), err)
	}
}

func TestDownloadsCollisions(t *testing.T) {
	d := openDownloads(t)
	tests := []struct {
		name string
		rel  string
		want string
	}{
		{"first", "report.pdf", "report.pdf"},
		{"second", "report.pdf", "report (1).pdf"},
		{"third", "report.pdf", "report (2).pdf"},
		{"no extension", "Makefile", "Makefile"},
		{"no extension again", "Makefile", "Makefile (1)"},
		{"hidden file", ".env", ".env"},
		{"hidden file again", ".env", ".env (1)"},
		{"nested", "dir/a.tar.gz", "dir/a.tar.gz"},
		{"nested again", "dir/a.tar.gz", "dir/a.tar (1).gz"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.Repeat("x", i)
			if got := receive(t, d, tt.rel, "t"+tt.name[:1], data); got != tt.want {
				t.Fatalf("final = %q, want %q", got, tt.want)
			}
			if b, err := os.ReadFile(filepath.Join(d.Dir(), tt.want)); err != nil || string(b) != data {
				t.Fatalf("content %q, %v", b, err)
			}
		})
	}
	// Earlier files were never overwritten.
	if b, _ := os.ReadFile(filepath.Join(d.Dir(), "report.pdf")); len(b) != 0 {
		t.Errorf("report.pdf was overwritten with %q", b)
	}
}

func TestDownloadsConcurrentSameName(t *testing.T) {
	d := openDownloads(t)
	f1, p1, err := d.OpenPartial("a.txt", "one")
	if err != nil {
		t.Fatal(err)
	}
	f2, p2, err := d.OpenPartial("a.txt", "two")
	if err != nil {
		t.Fatal(err)
	}
	f1.Close()
	f2.Close()
	if p1 == p2 {
		t.Fatalf("both transfers got %q", p1)
	}
}

func TestDownloadsRejectsBadInput(t *testing.T) {
	d := openDownloads(t)
	tests := []struct {
		name, rel, tag string
	}{
		{"traversal", "../x", "t"},
		{"absolute", "/etc/x", "t"},
		{"unsafe component", "a/CON", "t"},
		{"empty tag", "x", ""},
		{"tag with slash", "x", "a/b"},
		{"tag with dot-dot", "x", ".."},
		{"long tag", "x", strings.Repeat("t", maxTagBytes+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := d.OpenPartial(tt.rel, tt.tag); !errors.Is(err, ErrUnsafePath) {
				t.Fatalf("OpenPartial(%q, %q) = %v, want ErrUnsafePath", tt.rel, tt.tag, err)
			}
		})
	}
	if _, err := d.Finalize("../p", "x"); !errors.Is(err, ErrUnsafePath) {
		t.Errorf("Finalize from ../p: %v", err)
	}
	if err := d.Remove("../x"); !errors.Is(err, ErrUnsafePath) {
		t.Errorf("Remove ../x: %v", err)
	}
}

func TestDownloadsLongNameFits(t *testing.T) {
	d := openDownloads(t)
	name := SafeName(strings.Repeat("é", 200) + ".txt")
	final := receive(t, d, name, strings.Repeat("f", maxTagBytes), "data")
	if final != name {
		t.Fatalf("final = %q", final)
	}
	for n := 1; n <= 2; n++ {
		if final = receive(t, d, name, "g", "data"); !strings.HasSuffix(final, ")"+".txt") {
			t.Fatalf("collision name %q", final)
		}
	}
}

func TestDownloadsRemoveAndFreeSpace(t *testing.T) {
	d := openDownloads(t)
	_, partial := writePartial(t, d, "gone", "x")
	if err := d.Remove(partial); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if err := d.Remove(partial); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("second Remove = %v, want ErrNotExist", err)
	}
	free, err := d.FreeSpace()
	if err != nil || free == 0 {
		t.Fatalf("FreeSpace = %d, %v", free, err)
	}
}

func TestDownloadsLongNamesKeepDistinctPartials(t *testing.T) {
	d := openDownloads(t)
	long := strings.Repeat("a", 180)
	seen := map[string]string{}
	for _, rel := range []string{long + "1.txt", long + "2.txt", "dir/" + long + "1.txt"} {
		f, partial, err := d.OpenPartial(rel, strings.Repeat("f", maxTagBytes))
		if err != nil {
			t.Fatalf("OpenPartial(%q): %v", rel, err)
		}
		f.Close()
		if err := CheckRelPath(partial); err != nil {
			t.Fatalf("partial name %q: %v", partial, err)
		}
		if other, dup := seen[partial]; dup {
			t.Fatalf("%q and %q share partial %q", other, rel, partial)
		}
		seen[partial] = rel
	}
}

func TestPartialName(t *testing.T) {
	long := SafeName(strings.Repeat("é", 120) + ".txt")
	tests := []struct {
		name, in, tag string
		want          string
		wantErr       bool
	}{
		{"short", "a.txt", "t1", ".a.txt.t1.partial", false},
		{"folder name", "Project", "0a-_Z", ".Project.0a-_Z.partial", false},
		{"unsafe name", "CON", "t", "", true},
		{"name with slash", "a/b", "t", "", true},
		{"empty name", "", "t", "", true},
		{"tag with dot", "a", "a.b", "", true},
		{"long name", long, "t", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PartialName(tt.in, tt.tag)
			if tt.wantErr {
				if !errors.Is(err, ErrUnsafePath) {
					t.Fatalf("PartialName = %q, %v; want ErrUnsafePath", got, err)
				}
				return
			}
			if err != nil || tt.want != "" && got != tt.want {
				t.Fatalf("PartialName = %q, %v; want %q", got, err, tt.want)
			}
			if err := CheckRelPath(got); err != nil {
				t.Fatalf("%q fails CheckRelPath: %v", got, err)
			}
		})
	}
}

func TestFinalizeDirNeverMerges(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDownloads(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, name := range []string{"Report", "Report (1)"} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "Report (1)", "keep.txt"), []byte("mine"), 0o644)
	stage := ".Report.x1.partial"
	os.MkdirAll(filepath.Join(dir, stage, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, stage, "sub", "a.txt"), []byte("new"), 0o644)
	final, err := d.FinalizeDir(stage, "Report")
	if err != nil || final != "Report (2)" {
		t.Fatalf("final %q, %v", final, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Report (2)", "sub", "a.txt")); string(b) != "new" {
		t.Fatal("content not moved")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Report (1)", "keep.txt")); string(b) != "mine" {
		t.Fatal("an existing folder was touched")
	}
}
