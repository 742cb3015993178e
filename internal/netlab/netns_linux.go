package netlab

import (
	"fmt"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs fn on an OS thread that has entered the host's network namespace.
// Sockets that fn creates stay in that namespace for their whole life, so a
// listener or dialer made inside fn can be used afterwards from anywhere.
//
// Only the goroutine running fn is in the namespace: goroutines that fn
// starts run on other threads, in the root namespace, and must not create
// sockets. A panic in fn is re-raised in the caller.
//
// fn runs on a fresh goroutine rather than the caller's, so the caller's
// thread never changes namespace; if the switch back fails, that goroutine
// ends still locked and the Go runtime discards its thread instead of
// reusing it for unrelated goroutines.
func (h *Host) Do(fn func() error) error {
	target, err := unix.Open(nsPath(h.NS), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("netlab: open namespace %s: %w", h.NS, err)
	}
	defer unix.Close(target)

	type result struct {
		err      error
		panicked bool
		value    any
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		restored := false
		defer func() {
			if restored {
				runtime.UnlockOSThread()
			}
		}()
		self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
		home, err := unix.Open(self, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			restored = true
			done <- result{err: fmt.Errorf("netlab: open own namespace: %w", err)}
			return
		}
		defer unix.Close(home)
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			restored = true
			done <- result{err: fmt.Errorf("netlab: enter %s: %w", h.NS, err)}
			return
		}
		var res result
		if err := sameFile(self, target); err != nil {
			res.err = fmt.Errorf("netlab: enter %s: %w", h.NS, err)
		} else {
			func() {
				defer func() {
					if p := recover(); p != nil {
						res.panicked, res.value = true, p
					}
				}()
				res.err = fn()
			}()
		}
		restored = unix.Setns(home, unix.CLONE_NEWNET) == nil
		done <- res
	}()
	res := <-done
	if res.panicked {
		panic(res.value)
	}
	return res.err
}

// sameFile checks that the thread really is in the namespace behind fd:
// namespaces are equal when their nsfs inodes are.
func sameFile(path string, fd int) error {
	var a, b unix.Stat_t
	if err := unix.Stat(path, &a); err != nil {
		return err
	}
	if err := unix.Fstat(fd, &b); err != nil {
		return err
	}
	if a.Dev != b.Dev || a.Ino != b.Ino {
		return fmt.Errorf("thread namespace %d:%d is not %d:%d", a.Dev, a.Ino, b.Dev, b.Ino)
	}
	return nil
}

// nsPath is where `ip netns add` pins a namespace (iproute2's built-in
// NETNS_RUN_DIR; usually /run/netns behind the /var/run symlink).
func nsPath(name string) string {
	return filepath.Join("/var/run/netns", name)
}
