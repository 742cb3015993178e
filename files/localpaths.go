package files

import "context"

// LocalPaths maps each manifest path of a folder built by BuildManifest to
// the file it was read from. Manifest paths are made safe for every
// receiver, so a file whose real name is unsafe elsewhere ("a:b.txt",
// "CON") has a manifest path that differs from its name on disk.
func LocalPaths(ctx context.Context, root string) (map[string]string, error) {
	srcs, _, err := collect(ctx, root)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(srcs))
	for _, s := range srcs {
		out[s.rel] = s.local
	}
	return out, nil
}
