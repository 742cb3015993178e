package files

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"syscall"
)

// FinalizeDir gives a folder assembled under stageRel its real name rel, or
// the first free "rel (1)", "rel (2)", … It never merges into or replaces
// an existing file or folder: a folder rename inside the root fails on any
// existing name (even an empty folder), so the next name is tried.
func (d *Downloads) FinalizeDir(stageRel, rel string) (finalRel string, err error) {
	if err := CheckRelPath(stageRel); err != nil {
		return "", fmt.Errorf("finalize folder: %w", err)
	}
	if err := CheckRelPath(rel); err != nil {
		return "", fmt.Errorf("finalize folder: %w", err)
	}
	fi, err := d.root.Lstat(filepath.FromSlash(stageRel))
	if err != nil {
		return "", fmt.Errorf("finalize folder %s: %w", rel, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("finalize folder %s: %s is not a folder", rel, stageRel)
	}
	dir, base := path.Split(rel)
	for n := 0; n <= maxCollisions; n++ {
		name := dir + numbered(base, n)
		to := filepath.FromSlash(name)
		if _, err := d.root.Lstat(to); err == nil {
			continue
		}
		if err := d.root.Rename(filepath.FromSlash(stageRel), to); err != nil {
			if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) {
				continue
			}
			return "", fmt.Errorf("finalize folder %s: %w", rel, err)
		}
		return name, d.syncDir(dir)
	}
	return "", fmt.Errorf("finalize folder %s: %d names taken: %w", rel, maxCollisions, fs.ErrExist)
}
