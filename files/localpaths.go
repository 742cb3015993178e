package files

import (
	"context"
	"path/filepath"
)

// LocalPaths maps each manifest path of a folder built by BuildManifest to
// the file it was read from, as a '/'-separated path relative to the
// folder (for OpenShared). Manifest paths are made safe for every
// receiver, so a file whose real name is unsafe elsewhere ("a:b.txt",
// "CON") has a manifest path that differs from its name on disk; only
// those are listed.
func LocalPaths(ctx context.Context, root string) (map[string]string, error) {
	resolved, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	srcs, _, err := collect(ctx, resolved)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string)
	for _, s := range srcs {
		rel, err := filepath.Rel(resolved, s.local)
		if err != nil {
			return nil, err
		}
		if rel = filepath.ToSlash(rel); rel != s.rel {
			out[s.rel] = rel
		}
	}
	return out, nil
}
