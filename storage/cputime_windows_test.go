//go:build windows

package storage

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process used so far.
func cpuTime() time.Duration {
	var c, e, k, u syscall.Filetime
	if err := syscall.GetProcessTimes(syscall.Handle(^uintptr(0)), &c, &e, &k, &u); err != nil {
		return 0
	}
	return time.Duration(k.Nanoseconds() + u.Nanoseconds())
}
