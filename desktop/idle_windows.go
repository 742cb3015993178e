//go:build windows

package desktop

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32               = windows.NewLazySystemDLL("user32.dll")
	kernel32             = windows.NewLazySystemDLL("kernel32.dll")
	procGetLastInputInfo = user32.NewProc("GetLastInputInfo")
	procGetTickCount     = kernel32.NewProc("GetTickCount")
)

// lastInputInfo is LASTINPUTINFO.
type lastInputInfo struct {
	size uint32
	time uint32 // tick count of the last input in the session
}

// winIdle reads the session's last input time. Windows tells no lock
// state here; a locked session gets no input, so it turns away after the
// usual quiet time.
type winIdle struct{}

func openIdle() (Idle, string) {
	if err := procGetLastInputInfo.Find(); err != nil {
		return nil, "no GetLastInputInfo: " + err.Error()
	}
	if _, _, err := (winIdle{}).Idle(); err != nil {
		return nil, err.Error()
	}
	return winIdle{}, ""
}

func (winIdle) Idle() (time.Duration, bool, error) {
	li := lastInputInfo{size: uint32(unsafe.Sizeof(lastInputInfo{}))}
	ok, _, err := procGetLastInputInfo.Call(uintptr(unsafe.Pointer(&li)))
	if ok == 0 {
		return 0, false, fmt.Errorf("GetLastInputInfo: %w", err)
	}
	now, _, _ := procGetTickCount.Call()
	// Both are 32-bit millisecond ticks; the subtraction survives the wrap
	// every 49.7 days.
	return time.Duration(uint32(now)-li.time) * time.Millisecond, false, nil
}

func (winIdle) Close() {}
