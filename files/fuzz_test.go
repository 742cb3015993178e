package files

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{
		"", ".", "..", "   .", "../../x", `C:\x`, "CON", "con.txt", "COM¹", "a\u202Etxt.exe",
		"a\x00b", "\xff\xfe", strings.Repeat("a", 300) + ".txt", "con" + strings.Repeat(" ", 300) + "y",
		"CON." + strings.Repeat("f", 196), strings.Repeat("é", 150) + ".txt", ". . .", "a<b>c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		name := SafeName(in)
		checkSafeName(t, in, name)
		p, err := PartialName(name, "0123456789abcdef0123456789abcdef")
		if err != nil {
			t.Fatalf("PartialName(%q): %v", name, err)
		}
		if err := CheckRelPath(p); err != nil {
			t.Fatalf("PartialName(%q) = %q: %v", name, p, err)
		}
	})
}

func FuzzSafeRelPath(f *testing.F) {
	for _, s := range []string{
		"", "a/b", "../../etc/passwd", `C:\Users\x`, "a//./b/", "con/aux.txt", "/", "\\\\server\\share",
		strings.Repeat("a/", 600), "a/\u202E/b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := SafeRelPath(in)
		if err != nil {
			if !errors.Is(err, ErrUnsafePath) || out != "" {
				t.Fatalf("SafeRelPath(%q) = %q, %v", in, out, err)
			}
			return
		}
		if err := CheckRelPath(out); err != nil {
			t.Fatalf("SafeRelPath(%q) = %q, which fails CheckRelPath: %v", in, out, err)
		}
		if again, err := SafeRelPath(out); err != nil || again != out {
			t.Fatalf("SafeRelPath not idempotent: %q -> %q -> %q, %v", in, out, again, err)
		}
	})
}

func FuzzUnmarshalManifest(f *testing.F) {
	f.Add(tinyManifest().Marshal())
	f.Add([]byte(header(true, "d", MinChunkSize, 2).s("a/b").u(5).u(1).hashes(1).s("c").u(0).u(0)))
	f.Add([]byte(header(true, "d", MinChunkSize, 2).s("a").u(0).u(0).s("a/b").u(0).u(0)))
	f.Add([]byte(header(false, "a", MinChunkSize, 1).s("a").u(1 << 40).u(1 << 20)))
	f.Add([]byte(enc{1, 0}.s("a").u(MinChunkSize).raw(0x81, 0x00)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := UnmarshalManifest(in)
		if err != nil {
			if !errors.Is(err, ErrBadManifest) {
				t.Fatalf("error %v does not wrap ErrBadManifest", err)
			}
			return
		}
		// One manifest, one encoding: anything else would let two byte
		// strings with different hashes describe the same transfer.
		if out := m.Marshal(); !bytes.Equal(out, in) {
			t.Fatalf("decoded manifest re-encodes differently:\n in %x\nout %x", in, out)
		}
		if m.ChunkCount() > MaxChunks || len(m.Entries) > MaxEntries {
			t.Fatalf("limits exceeded: %d chunks, %d entries", m.ChunkCount(), len(m.Entries))
		}
		for i := range m.ChunkCount() {
			if e, _, n := m.Chunk(i); e < 0 || n <= 0 || n > m.ChunkSize {
				t.Fatalf("Chunk(%d) = %d, _, %d", i, e, n)
			}
		}
	})
}
