package cli

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"hallway/core"
)

// parseSize reads sizes like 500M, 2G, 1.5GB or 1048576 (bytes).
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "IB"), "B")
	mult := int64(1)
	if n := len(t); n > 0 {
		if m, ok := map[byte]int64{'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}[t[n-1]]; ok {
			mult, t = m, t[:n-1]
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	// NaN and infinities parse as floats, and a large enough number
	// overflows int64 into a negative size: both are refused.
	if err != nil || !(f >= 0) || math.IsInf(f, 0) || f*float64(mult) >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a size like 500M or 2G", s)
	}
	return int64(f * float64(mult)), nil
}

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
