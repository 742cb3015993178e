//go:build windows

package core

import "golang.org/x/sys/windows"

// userDownloads is the user's Downloads known folder, wherever the user or
// the domain moved it.
func userDownloads() (string, error) {
	return windows.KnownFolderPath(windows.FOLDERID_Downloads, windows.KF_FLAG_DEFAULT)
}
