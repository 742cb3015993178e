//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package app

import "fyne.io/fyne/v2/driver/desktop"

// nativeTray is Fyne's tray: Windows' notification area, macOS's menu
// bar.
func nativeTray(fyne desktop.App) desktop.App { return fyne }
