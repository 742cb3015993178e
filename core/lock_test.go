package core

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestDirLockIsExclusive(t *testing.T) {
	dir := t.TempDir()
	l, err := lockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockDataDir(dir)
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second lock: want ErrAlreadyRunning, got %v", err)
	}
	if pid := "pid " + strconv.Itoa(os.Getpid()); !strings.Contains(err.Error(), pid) {
		t.Errorf("refusal %q does not name the holder's %s", err, pid)
	}
	l.release()
	again, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again.release()
}
