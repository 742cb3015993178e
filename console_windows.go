//go:build windows

package main

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	kernel32              = windows.NewLazySystemDLL("kernel32.dll")
	getConsoleProcessList = kernel32.NewProc("GetConsoleProcessList")
	freeConsole           = kernel32.NewProc("FreeConsole")
)

// hideOwnConsole closes the console Windows opens for hallway.exe when it
// is started from the Start menu or Explorer to show the window: that
// console is ours alone. A console shared with a terminal, where the
// user typed `hallway`, is left as it is.
func hideOwnConsole() {
	var ids [2]uint32
	n, _, _ := getConsoleProcessList.Call(uintptr(unsafe.Pointer(&ids[0])), uintptr(len(ids)))
	if n == 1 {
		freeConsole.Call()
	}
}
