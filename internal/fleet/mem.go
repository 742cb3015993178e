package fleet

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Mem is a process's memory as the kernel sums it over all its mappings
// in /proc/PID/smaps_rollup, in bytes.
type Mem struct {
	// Rss is every page resident for the process, shared ones included.
	Rss int64
	// Pss is Rss with each shared page divided among the processes
	// mapping it.
	Pss int64
	// Anonymous is the resident memory backed by no file: heaps (Go's
	// and C's), stacks, copied-on-write pages.
	Anonymous int64
	// PrivateClean is resident file pages only this process maps and
	// never wrote (e.g. the code of a library no other process loaded);
	// the kernel can drop them and read them again.
	PrivateClean int64
	// PrivateDirty is resident pages only this process maps and wrote:
	// what it would give back to the machine if it ended and the kernel
	// cannot reclaim without swap.
	PrivateDirty int64
}

// USS is the unique set size: every page only this process maps.
func (m Mem) USS() int64 { return m.PrivateClean + m.PrivateDirty }

// ParseSmapsRollup reads the text of /proc/PID/smaps_rollup. Every field
// of Mem must be there.
func ParseSmapsRollup(r io.Reader) (Mem, error) {
	var m Mem
	fields := map[string]*int64{
		"Rss:": &m.Rss, "Pss:": &m.Pss, "Anonymous:": &m.Anonymous,
		"Private_Clean:": &m.PrivateClean, "Private_Dirty:": &m.PrivateDirty,
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		p, ok := fields[f[0]]
		if !ok {
			continue
		}
		if len(f) != 3 || f[2] != "kB" {
			return Mem{}, fmt.Errorf("smaps_rollup: unexpected line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || kb < 0 {
			return Mem{}, fmt.Errorf("smaps_rollup: bad size in %q", sc.Text())
		}
		*p = kb << 10
		delete(fields, f[0])
	}
	if err := sc.Err(); err != nil {
		return Mem{}, err
	}
	if len(fields) > 0 {
		missing := make([]string, 0, len(fields))
		for k := range fields {
			missing = append(missing, strings.TrimSuffix(k, ":"))
		}
		return Mem{}, fmt.Errorf("smaps_rollup: no %s", strings.Join(missing, ", "))
	}
	return m, nil
}

// ReadMem reads the memory of process pid from /proc/PID/smaps_rollup.
func ReadMem(pid int) (Mem, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return Mem{}, err
	}
	defer f.Close()
	return ParseSmapsRollup(f)
}

// Mem is the memory of the running process, failing the test when it is
// not running or the process measured is not the daemon's own executable
// (a wrapper that forked it instead of exec'ing it would be measured in
// its place).
func (d *Daemon) Mem() Mem {
	d.T.Helper()
	pid := d.Pid()
	if pid == 0 {
		d.T.Fatalf("%s: memory asked while not running", d.Name)
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		d.T.Fatalf("%s: %v", d.Name, err)
	}
	if want := d.binary(); filepath.Clean(exe) != filepath.Clean(want) {
		d.T.Fatalf("%s: pid %d runs %s, not %s", d.Name, pid, exe, want)
	}
	m, err := ReadMem(pid)
	if err != nil {
		d.T.Fatalf("%s: %v", d.Name, err)
	}
	return m
}
