package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrAlreadyRunning means another Hallway holds the data folder.
var ErrAlreadyRunning = errors.New("another Hallway is already running for this data folder")

// dirLock is an exclusive lock on the data folder. The operating system
// drops it when the process dies, so a kill -9 never leaves a stale lock
// behind. How the lock is taken is per platform (lock_unix.go,
// lock_windows.go); the pid written at the start of the file is only for
// the error message.
type dirLock struct{ f *os.File }

func lockDataDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := tryLock(f); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		pid := strings.TrimSpace(string(b[:n]))
		if _, perr := strconv.Atoi(pid); perr == nil {
			return nil, fmt.Errorf("%w (%s, pid %s)", ErrAlreadyRunning, dir, pid)
		}
		return nil, fmt.Errorf("%w (%s)", ErrAlreadyRunning, dir)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &dirLock{f: f}, nil
}

func (l *dirLock) release() {
	if l != nil && l.f != nil {
		unlock(l.f)
		l.f.Close()
	}
}
