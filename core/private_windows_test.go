//go:build windows

package core

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// TestDataDirOwnerOnlyACL: the data folder's access list is its own (not
// inherited from a folder others may read) and names only the user.
func TestDataDirOwnerOnlyACL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := ensureDataDir(dir); err != nil {
		t.Fatal(err)
	}
	me, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	ctl, _, err := sd.Control()
	if err != nil {
		t.Fatal(err)
	}
	if ctl&windows.SE_DACL_PROTECTED == 0 && underWine() {
		t.Skip("Wine 8 accepts a folder's access list but does not keep it")
	}
	if ctl&windows.SE_DACL_PROTECTED == 0 {
		t.Errorf("data folder DACL inherits from its parent (control %#x): %s", ctl, sd)
	}
	acl, _, err := sd.DACL()
	if err != nil || acl == nil {
		t.Fatalf("no DACL (everyone may enter): %v", err)
	}
	if acl.AceCount == 0 {
		t.Fatalf("empty DACL: %s", sd)
	}
	for i := range uint32(acl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(acl, i, &ace); err != nil {
			t.Fatal(err)
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		if !sid.Equals(me.User.Sid) {
			t.Errorf("ACE %d grants %s, not only the user %s: %s", i, sid, me.User.Sid, sd)
		}
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the user lost access to its own folder: %v", err)
	}
}

// underWine reports whether this runs under Wine, whose ntdll has an
// export Windows lacks.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
