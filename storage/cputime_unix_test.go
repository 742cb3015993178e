//go:build unix

package storage

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process used so far: on a machine others
// share, rates per CPU second are what an idle machine would show.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
