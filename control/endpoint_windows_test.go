//go:build windows

package control

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// TestPipeOwnerOnly: the control pipe's access list names only the user,
// a second listener for the same folder is refused (no pipe shared with
// whoever got there first), and bytes cross both ways.
func TestPipeOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "control.sock")
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l2, err := Listen(path); err == nil {
		l2.Close()
		if underWine() {
			t.Log("Wine 8 ignores FILE_FLAG_FIRST_PIPE_INSTANCE: the refusal of a second pipe is not checked here")
		} else {
			t.Fatal("a second control pipe for the same folder was created")
		}
	}
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := dialEndpoint(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo %q, %v", buf, err)
	}

	me, err := currentUser()
	if err != nil {
		t.Fatal(err)
	}
	h := windows.Handle(c.(*pipeConn).Fd())
	sd, err := windows.GetSecurityInfo(h, windows.SE_KERNEL_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	acl, _, err := sd.DACL()
	if err != nil || acl == nil || acl.AceCount == 0 {
		t.Fatalf("pipe without an access list (anyone may open it): %v %s", err, sd)
	}
	for i := range uint32(acl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(acl, i, &ace); err != nil {
			t.Fatal(err)
		}
		if sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart)); !sid.Equals(me) {
			t.Errorf("pipe ACE %d grants %s, not only the user %s", i, sid, me)
		}
	}
}

// TestPipeNameFollowsTheFolder: one pipe per data folder, whatever the
// spelling of its path.
func TestPipeNameFollowsTheFolder(t *testing.T) {
	if pipeName(`C:\Users\Ann\AppData\Roaming\Hallway\control.sock`) != pipeName(`c:\users\ann\appdata\roaming\hallway\.\control.sock`) {
		t.Error("two spellings of one folder name two pipes")
	}
	if pipeName(`C:\a\control.sock`) == pipeName(`C:\b\control.sock`) {
		t.Error("two folders share a pipe")
	}
}

// underWine reports whether this runs under Wine, whose ntdll has an
// export Windows lacks.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
