package cli

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"hallway/core"
	"hallway/files"
)

// parseSize reads sizes like 500M, 2G, 1.5GB or 1048576 (bytes).
func parseSize(s string) (int64, error) { return files.ParseSize(s) }

// filesConfig builds the file policy from daemon flags.
func filesConfig(p parsed) (core.FilesConfig, error) {
	var c core.FilesConfig
	if d := p.strs["downloads"]; d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return c, err
		}
		c.Downloads = abs
	}
	c.Policy.Disabled = p.bools["no-files"]
	c.NoBulkLane = p.bools["no-bulk-lane"]
	for flag, dst := range map[string]*int64{"max-file-size": &c.Policy.MaxSize, "auto-accept": &c.AutoAcceptMax} {
		if v, ok := p.strs[flag]; ok {
			n, err := parseSize(v)
			if err != nil {
				return c, fmt.Errorf("--%s: %v", flag, err)
			}
			*dst = n
		}
	}
	if v, ok := p.strs["share-days"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 3650 {
			return c, fmt.Errorf("--share-days: %q is not a number of days from 1 to 3650", v)
		}
		c.ShareFor = time.Duration(n) * 24 * time.Hour
	}
	if v := p.strs["block-ext"]; v != "" {
		for _, e := range strings.Split(v, ",") {
			if e = strings.TrimSpace(e); e != "" {
				if !strings.HasPrefix(e, ".") {
					e = "." + e
				}
				c.Policy.BlockedExtensions = append(c.Policy.BlockedExtensions, e)
			}
		}
	}
	return c, nil
}
