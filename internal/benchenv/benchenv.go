// Package benchenv holds what the benchmarks of several packages read of
// their environment: the office sizes to measure, the CPU the process
// used and the machine's load, printed beside the figures they qualify.
package benchenv

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// OfficeSizes are the office sizes to measure: HALLWAY_OFFICE_SIZES
// ("50,100") or 50, 100 and 200.
func OfficeSizes() ([]int, error) {
	env := os.Getenv("HALLWAY_OFFICE_SIZES")
	if env == "" {
		return []int{50, 100, 200}, nil
	}
	var out []int
	for f := range strings.SplitSeq(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 2 {
			return nil, fmt.Errorf("HALLWAY_OFFICE_SIZES=%q: want sizes of at least 2, comma-separated", env)
		}
		out = append(out, n)
	}
	return out, nil
}

// LoadAverage is the machine's load over the last minute, "unknown" where
// /proc/loadavg is not: a benchmark shares the cores with whatever else
// runs.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}
