package fleet

import (
	"os"
	"strings"
	"testing"
)

// A window's smaps_rollup as Linux 6.x writes it.
const rollupSample = `55a5bef9d000-7ffcd38b5000 ---p 00000000 00:00 0                          [rollup]
Rss:              251904 kB
Pss:              183210 kB
Pss_Dirty:         61234 kB
Pss_Anon:          60112 kB
Pss_File:         123098 kB
Pss_Shmem:             0 kB
Shared_Clean:      68840 kB
Shared_Dirty:          8 kB
Private_Clean:    121006 kB
Private_Dirty:     62050 kB
Referenced:       251904 kB
Anonymous:         60112 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:      2048 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
`

func TestParseSmapsRollup(t *testing.T) {
	m, err := ParseSmapsRollup(strings.NewReader(rollupSample))
	if err != nil {
		t.Fatal(err)
	}
	want := Mem{Rss: 251904 << 10, Pss: 183210 << 10, Anonymous: 60112 << 10,
		PrivateClean: 121006 << 10, PrivateDirty: 62050 << 10}
	if m != want {
		t.Fatalf("got %+v, want %+v", m, want)
	}
	if got := m.USS(); got != (121006+62050)<<10 {
		t.Fatalf("USS %d", got)
	}
}

func TestParseSmapsRollupRejects(t *testing.T) {
	for name, text := range map[string]string{
		"field missing": strings.Replace(rollupSample, "Anonymous:", "Anon:", 1),
		"not kB":        strings.Replace(rollupSample, "Pss:              183210 kB", "Pss: 183210 MB", 1),
		"not a number":  strings.Replace(rollupSample, "62050", "6x050", 1),
		"empty":         "",
	} {
		if m, err := ParseSmapsRollup(strings.NewReader(text)); err == nil {
			t.Errorf("%s: parsed as %+v", name, m)
		}
	}
}

// The parser reads what this kernel writes for this very process.
func TestReadMemSelf(t *testing.T) {
	m, err := ReadMem(os.Getpid())
	if os.IsNotExist(err) {
		t.Skip("no /proc/PID/smaps_rollup on this kernel")
	}
	if err != nil {
		t.Fatal(err)
	}
	if m.Rss <= 0 || m.Pss <= 0 || m.Pss > m.Rss || m.USS() > m.Rss || m.PrivateDirty <= 0 {
		t.Fatalf("implausible: %+v", m)
	}
}
