//go:build !(linux || freebsd || openbsd || netbsd || dragonfly || windows || (darwin && cgo))

package desktop

func openIdle() (Idle, string) {
	return nil, "this build cannot read the desktop's idle time (macOS needs a build with cgo)"
}
