package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"lukechampine.com/blake3"
)

var (
	// ErrNotRegular means BuildManifest was given something that is
	// neither a regular file nor a folder.
	ErrNotRegular = errors.New("not a regular file or folder")
	// ErrChanged means a file's size changed while it was being hashed.
	ErrChanged = errors.New("file changed while hashing")
)

// readBufSize divides every chunk size, so one read never straddles two
// chunks; it is large enough that per-call overhead does not show.
const readBufSize = 4 << 20

// progressEvery keeps progress callbacks to about ten per second.
const progressEvery = 100 * time.Millisecond

// source is a local file to hash and where it goes in the manifest.
type source struct {
	local string
	rel   string
	size  int64
}

// BuildManifest hashes a file, or a folder walked recursively, into a
// manifest. The manifest's name is SafeName of path's base name. If path
// itself is a symlink it is followed, since the user picked it; inside a
// folder only regular files are taken: symlinks, devices, sockets and
// fifos are not followed or read but listed in skipped, as are files whose
// cleaned name would collide with another. Empty folders are not
// represented. Paths in skipped are relative to path and '/'-separated.
//
// progress, if not nil, receives bytes hashed so far and the total, about
// ten times a second and once at the end. Cancelling ctx stops the work
// between reads.
func BuildManifest(ctx context.Context, path string, progress func(done, total int64)) (m *Manifest, skipped []string, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("build manifest: %w", err)
	}
	// Abs first, so "." or "dir/" is named after the folder itself.
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, fmt.Errorf("build manifest: %w", err)
	}
	m = &Manifest{Name: SafeName(filepath.Base(abs))}
	var srcs []source
	switch {
	case fi.Mode().IsRegular():
		srcs = []source{{local: path, rel: m.Name, size: fi.Size()}}
	case fi.IsDir():
		m.Folder = true
		if srcs, skipped, err = collect(ctx, path); err != nil {
			return nil, nil, fmt.Errorf("build manifest of %s: %w", path, err)
		}
	default:
		return nil, nil, fmt.Errorf("build manifest of %s (%s): %w", path, fi.Mode().Type(), ErrNotRegular)
	}

	if m.ChunkSize, err = chunkSizeForFiles(srcs); err != nil {
		return nil, nil, fmt.Errorf("build manifest of %s: %w", path, err)
	}
	m.Entries = make([]Entry, len(srcs))
	var total int64
	for i, s := range srcs {
		m.Entries[i] = Entry{Path: s.rel, Size: s.size, Chunks: make([][32]byte, chunksFor(s.size, m.ChunkSize))}
		total += s.size
	}
	if err := m.validate(); err != nil {
		return nil, nil, fmt.Errorf("build manifest of %s: %w", path, err)
	}
	if n := m.encodedLen(); n > MaxManifestBytes {
		return nil, nil, fmt.Errorf("build manifest of %s: encoded manifest of %d bytes: %w", path, n, ErrTooLarge)
	}

	h := hashing{ctx: ctx, progress: progress, total: total, buf: make([]byte, min(readBufSize, m.ChunkSize))}
	for i, s := range srcs {
		if err := h.file(s, m.ChunkSize, m.Entries[i].Chunks); err != nil {
			return nil, nil, fmt.Errorf("build manifest: %w", err)
		}
	}
	if progress != nil {
		progress(h.done, total)
	}
	return m, skipped, nil
}

// chunkSizeForFiles is ChunkSizeFor, grown further when rounding up each
// file to whole chunks would still exceed MaxChunks.
func chunkSizeForFiles(srcs []source) (int64, error) {
	var total int64
	for _, s := range srcs {
		total += s.size
	}
	for cs := ChunkSizeFor(total); cs <= MaxChunkSize; cs <<= 1 {
		var n int64
		for _, s := range srcs {
			n += chunksFor(s.size, cs)
		}
		if n <= MaxChunks {
			return cs, nil
		}
	}
	return 0, fmt.Errorf("%s in %d files needs more than %d chunks: %w", HumanBytes(total), len(srcs), MaxChunks, ErrTooLarge)
}

// collect walks a folder for regular files, giving each a manifest path
// that passes CheckRelPath and does not conflict with earlier ones.
func collect(ctx context.Context, root string) (srcs []source, skipped []string, err error) {
	if root, err = filepath.EvalSymlinks(root); err != nil {
		return nil, nil, err
	}
	files := map[string]bool{} // manifest paths taken by files
	dirs := map[string]bool{}  // manifest paths used as folders
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == root || d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !d.Type().IsRegular() {
			skipped = append(skipped, rel)
			return nil
		}
		safe, err := SafeRelPath(rel)
		if err != nil || files[safe] || dirs[safe] || hasFileAncestor(safe, files) {
			skipped = append(skipped, rel)
			return nil
		}
		if len(srcs) == MaxEntries {
			return fmt.Errorf("more than %d files: %w", MaxEntries, ErrTooLarge)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files[safe] = true
		for i := strings.LastIndexByte(safe, '/'); i > 0; i = strings.LastIndexByte(safe[:i], '/') {
			dirs[safe[:i]] = true
		}
		srcs = append(srcs, source{local: p, rel: safe, size: info.Size()})
		return nil
	})
	return srcs, skipped, err
}

func hasFileAncestor(p string, files map[string]bool) bool {
	for i := strings.LastIndexByte(p, '/'); i > 0; i = strings.LastIndexByte(p[:i], '/') {
		if files[p[:i]] {
			return true
		}
	}
	return false
}

// hashing carries the state shared by all files of one BuildManifest.
type hashing struct {
	ctx        context.Context
	progress   func(done, total int64)
	total      int64
	done       int64
	lastReport time.Time
	buf        []byte
}

// file fills sums with the chunk hashes of s, reading exactly s.size bytes.
func (h *hashing) file(s source, cs int64, sums [][32]byte) error {
	f, err := openForHashing(s.local)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return err
	} else if !fi.Mode().IsRegular() || fi.Size() != s.size {
		return fmt.Errorf("%s: %w", s.local, ErrChanged)
	}
	hasher := blake3.New(32, nil)
	for j := range sums {
		hasher.Reset()
		left := min(cs, s.size-int64(j)*cs)
		for left > 0 {
			if err := h.ctx.Err(); err != nil {
				return err
			}
			p := h.buf[:min(int64(len(h.buf)), left)]
			if _, err := io.ReadFull(f, p); err != nil {
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
					return fmt.Errorf("%s: shorter than %d bytes: %w", s.local, s.size, ErrChanged)
				}
				return fmt.Errorf("read %s: %w", s.local, err)
			}
			hasher.Write(p)
			left -= int64(len(p))
			h.advance(int64(len(p)))
		}
		hasher.Sum(sums[j][:0])
	}
	// A file that grew would be served with bytes the manifest does not
	// cover; better to say so now than to send a truncated copy.
	if n, _ := f.Read(h.buf[:1]); n > 0 {
		return fmt.Errorf("%s: longer than %d bytes: %w", s.local, s.size, ErrChanged)
	}
	return nil
}

func (h *hashing) advance(n int64) {
	h.done += n
	if h.progress == nil {
		return
	}
	if now := time.Now(); now.Sub(h.lastReport) >= progressEvery {
		h.lastReport = now
		h.progress(h.done, h.total)
	}
}
