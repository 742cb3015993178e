//go:build linux || freebsd || openbsd || netbsd || dragonfly

package desktop

import "github.com/godbus/dbus/v5"

// HasTray reports whether the desktop can show a tray icon: a desktop's
// tray speaks to its applications on the session bus (the
// StatusNotifierItem protocol of KDE, XFCE, waybar and GNOME with its
// AppIndicator extension), so without a session bus none ever shows one;
// why says so. With a bus, a tray that starts after the window (as at
// login) still finds its icon. The bus is never launched to ask.
func HasTray() (ok bool, why string) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return false, "no session bus: " + err.Error()
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return false, "the session bus refused us: " + err.Error()
	}
	if err := conn.Hello(); err != nil {
		return false, "the session bus refused us: " + err.Error()
	}
	return true, ""
}
