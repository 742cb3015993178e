//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package desktop

// HasTray reports that the desktop can show a tray icon: Windows' and
// macOS's always can.
func HasTray() (ok bool, why string) { return true, "" }
