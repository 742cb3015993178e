package files

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrPlanted means a served path is not the regular file that was
// offered: a symlink, a folder swapped for a link, or something else
// planted under its name after the offer.
var ErrPlanted = errors.New("not the regular file that was offered")

// Shared opens the files of content this computer serves, confined with
// os.Root to the folder they were offered from (or downloaded to). Only
// regular files reached through real folders are opened: a symlink
// planted in the folder after the offer is refused, wherever it points,
// and nothing outside the folder is ever reached.
type Shared struct {
	root   *os.Root
	m      *Manifest
	single string            // a single file: its name in root
	local  map[string]string // a folder: manifest path → '/'-separated path in root, where they differ
}

// OpenShared opens content described by m at path: the file itself, or
// the folder holding a folder's entries. local maps manifest paths of a
// folder to their names on disk where they differ (see LocalPaths); nil
// means every entry is under its manifest path, as in a received folder.
func OpenShared(path string, m *Manifest, local map[string]string) (*Shared, error) {
	dir := path
	s := &Shared{m: m, local: local}
	if !m.Folder {
		dir, s.single = filepath.Dir(path), filepath.Base(path)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open shared %s: %w", path, err)
	}
	s.root = root
	return s, nil
}

// Close releases the folder; files already opened stay usable.
func (s *Shared) Close() error { return s.root.Close() }

// Open opens entry e of the manifest for reading. It fails with an error
// wrapping ErrPlanted when the name, or a folder on the way to it, is not
// what was offered, and ErrChanged when the file's size is no longer the
// manifest's.
func (s *Shared) Open(e int) (*os.File, error) {
	if e < 0 || e >= len(s.m.Entries) {
		return nil, fmt.Errorf("open shared entry %d: %w", e, ErrNoSuchChunk)
	}
	ent := s.m.Entries[e]
	rel := s.single
	if s.m.Folder {
		rel = ent.Path
		if l, ok := s.local[ent.Path]; ok {
			rel = l
		}
		if err := s.realFolders(rel); err != nil {
			return nil, err
		}
	}
	name := filepath.FromSlash(rel)
	// Lstat first: a link planted under the name is refused as planted,
	// before os.Root refuses (or follows) it.
	li, err := s.root.Lstat(name)
	if err != nil {
		return nil, fmt.Errorf("open shared %s: %w", rel, err)
	}
	if !li.Mode().IsRegular() {
		return nil, fmt.Errorf("open shared %s: %w", rel, ErrPlanted)
	}
	f, err := s.root.OpenFile(name, os.O_RDONLY|sharedOpenFlags, 0)
	if err != nil {
		return nil, fmt.Errorf("open shared %s: %w", rel, err)
	}
	if err := check(f, li, ent); err != nil {
		f.Close()
		return nil, fmt.Errorf("open shared %s: %w", rel, err)
	}
	return f, nil
}

// realFolders refuses a path whose folders are not real folders: the
// walk that built the manifest never enters a linked folder, so one on
// the way now was planted.
func (s *Shared) realFolders(rel string) error {
	dir := path.Dir(rel)
	if strings.HasPrefix(rel, "/") || dir == ".." || strings.HasPrefix(dir, "../") {
		return fmt.Errorf("open shared %s: %w", rel, ErrPlanted)
	}
	for d := dir; d != "." && d != "/"; d = path.Dir(d) {
		fi, err := s.root.Lstat(filepath.FromSlash(d))
		if err != nil {
			return fmt.Errorf("open shared %s: %w", rel, err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("open shared %s: %s: %w", rel, d, ErrPlanted)
		}
	}
	return nil
}

// check makes sure the opened file is the regular file found under its
// name (not one swapped in since), and still has the offered size.
func check(f *os.File, li os.FileInfo, ent Entry) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !os.SameFile(li, fi) {
		return ErrPlanted
	}
	if fi.Size() != ent.Size {
		return fmt.Errorf("%d bytes, %d offered: %w", fi.Size(), ent.Size, ErrChanged)
	}
	return nil
}
