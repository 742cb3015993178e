//go:build windows

package desktop

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32                   = windows.NewLazySystemDLL("user32.dll")
	kernel32                 = windows.NewLazySystemDLL("kernel32.dll")
	procGetLastInputInfo     = user32.NewProc("GetLastInputInfo")
	procSystemParametersInfo = user32.NewProc("SystemParametersInfoW")
	procOpenInputDesktop     = user32.NewProc("OpenInputDesktop")
	procGetUserObjectInfo    = user32.NewProc("GetUserObjectInformationW")
	procCloseDesktop         = user32.NewProc("CloseDesktop")
	procGetTickCount         = kernel32.NewProc("GetTickCount")
)

const (
	spiGetScreenSaverRunning = 0x0072
	desktopReadObjects       = 0x0001
	uoiName                  = 2
)

// lastInputInfo is LASTINPUTINFO.
type lastInputInfo struct {
	size uint32
	time uint32 // tick count of the last input in the session
}

// winIdle reads the session's last input time, and counts the session as
// locked while the screen saver runs or input goes to a desktop other
// than the user's (Winlogon's lock screen, which a user's process may not
// even open).
type winIdle struct {
	// desktopCheck is off when the input desktop could not be read at
	// start, while the user was plainly there: it would always say locked.
	desktopCheck bool
}

func openIdle() (Idle, string) {
	if err := procGetLastInputInfo.Find(); err != nil {
		return nil, "no GetLastInputInfo: " + err.Error()
	}
	w := &winIdle{}
	if _, _, err := w.Idle(); err != nil {
		return nil, err.Error()
	}
	w.desktopCheck = procOpenInputDesktop.Find() == nil && procGetUserObjectInfo.Find() == nil && !otherDesktop()
	return w, ""
}

func (w *winIdle) Idle() (time.Duration, bool, error) {
	li := lastInputInfo{size: uint32(unsafe.Sizeof(lastInputInfo{}))}
	ok, _, err := procGetLastInputInfo.Call(uintptr(unsafe.Pointer(&li)))
	if ok == 0 {
		return 0, false, fmt.Errorf("GetLastInputInfo: %w", err)
	}
	now, _, _ := procGetTickCount.Call()
	// Both are 32-bit millisecond ticks; the subtraction survives the wrap
	// every 49.7 days.
	since := time.Duration(uint32(now)-li.time) * time.Millisecond
	return since, saverRunning() || (w.desktopCheck && otherDesktop()), nil
}

func (*winIdle) Close() {}

// saverRunning tells whether the screen saver is on.
func saverRunning() bool {
	var on int32
	ok, _, _ := procSystemParametersInfo.Call(spiGetScreenSaverRunning, 0, uintptr(unsafe.Pointer(&on)), 0)
	return ok != 0 && on != 0
}

// otherDesktop tells whether input goes to a desktop other than the
// user's own ("Default"): the lock screen, or one the process may not
// open at all.
func otherDesktop() bool {
	h, _, _ := procOpenInputDesktop.Call(0, 0, desktopReadObjects)
	if h == 0 {
		return true
	}
	defer procCloseDesktop.Call(h)
	var name [64]uint16
	var n uint32
	ok, _, _ := procGetUserObjectInfo.Call(h, uoiName, uintptr(unsafe.Pointer(&name[0])), uintptr(len(name)*2), uintptr(unsafe.Pointer(&n)))
	if ok == 0 {
		return false
	}
	return windows.UTF16ToString(name[:]) != "Default"
}
