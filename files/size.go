package files

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseSize reads sizes like 500M, 2G, 1.5GB or 1048576 (bytes).
func ParseSize(s string) (int64, error) {
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
