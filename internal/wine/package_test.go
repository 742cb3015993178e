package wine

import (
	"archive/zip"
	"bytes"
	"debug/pe"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf16"
)

// TestPackageWindows: `make package-windows` makes a zip holding
// hallway.exe, with the app icon and version information in its resources,
// and the install and uninstall scripts.
func TestPackageWindows(t *testing.T) {
	RequireMinGW(t)
	for _, tool := range []string{"convert", "zip", "x86_64-w64-mingw32-windres"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s missing (make deps-windows installs it)", tool)
		}
	}
	root := Root(t)
	cmd := exec.Command("make", "package-windows")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make package-windows: %v\n%s", err, out)
	}
	zr, err := zip.OpenReader(filepath.Join(root, "out", "Hallway-windows-amd64.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	var exe []byte
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == "hallway.exe" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			exe, err = io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, want := range []string{"hallway.exe", "install.cmd", "install.ps1", "uninstall.cmd", "uninstall.ps1", "README.txt"} {
		if !slices.Contains(names, want) {
			t.Errorf("the package lacks %s (has %v)", want, names)
		}
	}
	f, err := pe.NewFile(bytes.NewReader(exe))
	if err != nil {
		t.Fatalf("hallway.exe in the package: %v", err)
	}
	rsrc := f.Section(".rsrc")
	if rsrc == nil {
		t.Fatal("hallway.exe has no resources: no icon, no version information")
	}
	data, err := rsrc.Data()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"ProductName", "Hallway", "0.1.0"} {
		if !bytes.Contains(data, utf16le(s)) {
			t.Errorf("the version information lacks %q", s)
		}
	}
	// An icon resource starts its group with reserved 0, type 1 (icon).
	if !bytes.Contains(data, []byte{0, 0, 1, 0}) {
		t.Error("no icon group in the resources")
	}
	t.Logf("package: %d files, hallway.exe %.1f MiB", len(names), float64(len(exe))/(1<<20))
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}
