// Package desktop reads what the desktop session knows and the window
// cannot: how long since the last input anywhere on the desktop, and
// whether the screen is locked. Each platform has one small source:
// X11's screen-saver extension, GNOME's and KDE's services on the
// session bus of a Wayland session, Windows' GetLastInputInfo, macOS's
// HID idle time. Where a desktop offers nothing (another Wayland
// compositor, a build without cgo on macOS) OpenIdle says why, and the window falls back to
// its own input. It imports nothing of the module and no GUI toolkit.
package desktop
