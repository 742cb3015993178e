// Package desktop reads what the desktop session knows and the window
// cannot: how long since the last input anywhere on the desktop, and
// whether the screen is locked. Each platform has one small source:
// X11's screen-saver extension, GNOME's and KDE's services on the
// session bus of a Wayland session, else the compositor's own idle
// protocol (ext-idle-notify-v1 or KDE's older one, as sway and other
// wlroots compositors offer them), spoken over the Wayland socket in pure
// Go; Windows' GetLastInputInfo, macOS's HID idle time. The Wayland
// protocols give events, not a clock, and tell a client nothing of the
// lock: see Idle and LockTeller. Where a desktop offers nothing (a
// compositor without an idle protocol, a build without cgo on macOS)
// OpenIdle says why, and the window falls back to its own input. HasTray
// tells whether the desktop can show a tray icon at all. It imports
// nothing of the module and no GUI toolkit.
package desktop
