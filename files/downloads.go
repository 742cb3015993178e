package files

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"lukechampine.com/blake3"
)

// ErrNotRegularTarget means a partial file turned out not to be a regular
// file, typically because something else was planted under its name.
var ErrNotRegularTarget = errors.New("not a regular file")

// maxTagBytes bounds the transfer tag; the name part of a partial file is
// shortened, not refused, so a long tag and a long name still fit.
const maxTagBytes = 64

// maxCollisions bounds the "name (n).ext" search in Finalize.
const maxCollisions = 10000

// Downloads confines every file operation to one downloads folder. Paths
// given to its methods are relative, '/'-separated and must pass
// CheckRelPath; os.Root keeps every access, including through symlinks
// planted in the folder, inside it.
type Downloads struct {
	root *os.Root
	dir  string
}

// OpenDownloads creates dir (0700) if needed and opens it as a root.
func OpenDownloads(dir string) (*Downloads, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open downloads %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("open downloads: %w", err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("open downloads: %w", err)
	}
	return &Downloads{root: root, dir: abs}, nil
}

// Dir is the absolute path of the downloads folder.
func (d *Downloads) Dir() string { return d.dir }

// Close releases the folder; the Downloads must not be used afterwards.
func (d *Downloads) Close() error { return d.root.Close() }

// OpenPartial creates, or opens to resume, the hidden partial file that
// receives rel: "<dir of rel>/.<base>.<tag>.partial", with missing parent
// folders created (0755). tag tells apart concurrent transfers of the same
// name; pass the transfer id (letters, digits, '-' and '_', up to 64
// bytes). The file is never executable, whatever mode a previous file of
// that name had.
func (d *Downloads) OpenPartial(rel, tag string) (f *os.File, partialRel string, err error) {
	if err := CheckRelPath(rel); err != nil {
		return nil, "", fmt.Errorf("open partial: %w", err)
	}
	dir, base := path.Split(rel)
	name, err := PartialName(base, tag)
	if err != nil {
		return nil, "", fmt.Errorf("open partial for %s: %w", rel, err)
	}
	partialRel = dir + name
	if dir != "" {
		if err := d.root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
			return nil, "", fmt.Errorf("open partial for %s: %w", rel, err)
		}
	}
	f, err = d.root.OpenFile(filepath.FromSlash(partialRel), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, "", fmt.Errorf("open partial for %s: %w", rel, err)
	}
	if err := d.checkRegular(f, partialRel); err != nil {
		f.Close()
		return nil, "", fmt.Errorf("open partial for %s: %w", rel, err)
	}
	// A resumed file keeps its old mode; make sure received bytes can never
	// be run by a double click.
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return nil, "", fmt.Errorf("open partial for %s: %w", rel, err)
	}
	return f, partialRel, nil
}

// PartialName is the hidden name under which a file or folder called name
// is received before it is complete: ".<name>.<tag>.partial". A long name
// is shortened, with a digest of the full name so that files of one
// transfer stay apart, and the result always passes CheckRelPath. name
// must be one safe component (SafeName(name) == name); tag is as for
// OpenPartial. Errors wrap ErrUnsafePath.
func PartialName(name, tag string) (string, error) {
	if name == "" || SafeName(name) != name {
		return "", fmt.Errorf("partial name for %q: %w", name, ErrUnsafePath)
	}
	if !validTag(tag) {
		return "", fmt.Errorf("partial name for %s: tag %q: %w", name, tag, ErrUnsafePath)
	}
	suffix := "." + tag + ".partial"
	if room := maxNameBytes - 1 - len(suffix); len(name) > room {
		sum := blake3.Sum256([]byte(name))
		digest := "~" + hex.EncodeToString(sum[:8])
		room -= len(digest)
		for room > 0 && !utf8.RuneStart(name[room]) {
			room--
		}
		name = name[:room] + digest
	}
	return "." + name + suffix, nil
}

func validTag(tag string) bool {
	if tag == "" || len(tag) > maxTagBytes {
		return false
	}
	for _, c := range []byte(tag) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// checkRegular refuses a name that is a symlink, even one pointing inside
// the folder: writing through it would change some other download.
func (d *Downloads) checkRegular(f *os.File, rel string) error {
	li, err := d.root.Lstat(filepath.FromSlash(rel))
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !li.Mode().IsRegular() || !os.SameFile(li, fi) {
		return fmt.Errorf("%s: %w", rel, ErrNotRegularTarget)
	}
	return nil
}

// Finalize gives a complete partial file its real name rel, or the first
// free "name (1).ext", "name (2).ext", … if rel is taken, and returns the
// name used. It never replaces anything: the name is claimed with a hard
// link, which fails on an existing name where a rename would overwrite.
// The content is synced before and the folder after, so a crash leaves
// either the partial or the complete file.
func (d *Downloads) Finalize(partialRel, rel string) (finalRel string, err error) {
	if err := CheckRelPath(partialRel); err != nil {
		return "", fmt.Errorf("finalize: %w", err)
	}
	if err := CheckRelPath(rel); err != nil {
		return "", fmt.Errorf("finalize: %w", err)
	}
	fi, err := d.root.Lstat(filepath.FromSlash(partialRel))
	if err != nil {
		return "", fmt.Errorf("finalize %s: %w", rel, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("finalize %s: %s: %w", rel, partialRel, ErrNotRegularTarget)
	}
	if err := d.syncFile(partialRel); err != nil {
		return "", fmt.Errorf("finalize %s: %w", rel, err)
	}
	dir, base := path.Split(rel)
	if dir != "" {
		if err := d.root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
			return "", fmt.Errorf("finalize %s: %w", rel, err)
		}
	}
	for n := 0; n <= maxCollisions; n++ {
		finalRel := dir + numbered(base, n)
		claimed, err := d.claim(partialRel, finalRel)
		if claimed {
			// The data is in place even if cleaning up or syncing failed,
			// so the caller still learns the name.
			if err == nil {
				err = d.syncDir(dir)
			}
			if err != nil {
				return finalRel, fmt.Errorf("finalize %s: %w", finalRel, err)
			}
			return finalRel, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("finalize %s: %w", rel, err)
		}
	}
	return "", fmt.Errorf("finalize %s: %d names taken: %w", rel, maxCollisions, fs.ErrExist)
}

// claim moves partial to name only if name does not exist yet. claimed
// reports whether name now holds the data, which may be true alongside an
// error from removing the partial name.
func (d *Downloads) claim(partial, name string) (claimed bool, err error) {
	from, to := filepath.FromSlash(partial), filepath.FromSlash(name)
	err = d.root.Link(from, to)
	if err == nil {
		if err := d.root.Remove(from); err != nil {
			return true, fmt.Errorf("remove partial: %w", err)
		}
		return true, nil
	}
	if errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	// Some volumes (FAT, exFAT, some network shares) have no hard links.
	// Reserving the name with an exclusive create and then renaming over
	// our own empty placeholder gives the same no-overwrite guarantee.
	ph, cerr := d.root.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if cerr != nil {
		if errors.Is(cerr, fs.ErrExist) {
			return false, cerr
		}
		return false, errors.Join(err, cerr)
	}
	ph.Close()
	if rerr := d.root.Rename(from, to); rerr != nil {
		d.root.Remove(to)
		return false, errors.Join(err, rerr)
	}
	return true, nil
}

// numbered returns base for n == 0, else "stem (n).ext". The extension is
// everything from the last dot, unless the name starts with its only dot.
func numbered(base string, n int) string {
	if n == 0 {
		return base
	}
	stem, ext := base, ""
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		stem, ext = base[:i], base[i:]
	}
	return stem + " (" + strconv.Itoa(n) + ")" + ext
}

// syncFile flushes the content before it gets its final name, so a crash
// cannot leave a complete-looking file with missing data. The file is
// opened for writing: Windows flushes only through such a handle.
func (d *Downloads) syncFile(rel string) error {
	f, err := d.root.OpenFile(filepath.FromSlash(rel), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("sync %s: %w", rel, err)
	}
	return nil
}

func (d *Downloads) syncDir(dir string) error {
	if dir == "" {
		dir = "."
	}
	f, err := d.root.Open(filepath.FromSlash(dir))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syncFolder(f); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("sync folder: %w", err)
	}
	return nil
}

// Remove deletes rel, typically an abandoned partial file.
func (d *Downloads) Remove(rel string) error {
	if err := CheckRelPath(rel); err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	if err := d.root.Remove(filepath.FromSlash(rel)); err != nil {
		return fmt.Errorf("remove %s: %w", rel, err)
	}
	return nil
}

// RemoveAll deletes rel and, for a folder, everything in it, typically an
// abandoned staging folder. A symlink planted in the way is removed
// itself, never followed.
func (d *Downloads) RemoveAll(rel string) error {
	if err := CheckRelPath(rel); err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	if err := d.root.RemoveAll(filepath.FromSlash(rel)); err != nil {
		return fmt.Errorf("remove %s: %w", rel, err)
	}
	return nil
}
