//go:build windows

package core

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// makePrivate gives dir an access list of its own (inherited entries from
// the parent are cut off) that lets the current user, and nobody else, in;
// files and folders created inside inherit it. Mode bits mean nothing on
// Windows, so this is what 0700 is on Unix.
func makePrivate(dir string, _ os.FileInfo) error {
	acl, err := ownerOnlyACL()
	if err != nil {
		return fmt.Errorf("make data folder %s private: %w", dir, err)
	}
	err = windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, acl, nil)
	if err != nil {
		return fmt.Errorf("make data folder %s private: %w", dir, err)
	}
	return nil
}

// ownerOnlyACL grants full control to the user running this process, to
// it alone, inherited by everything below.
func ownerOnlyACL() (*windows.ACL, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("current user: %w", err)
	}
	return windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: windows.GENERIC_ALL,
		AccessMode:        windows.SET_ACCESS,
		Inheritance:       windows.SUB_CONTAINERS_AND_OBJECTS_INHERIT,
		Trustee: windows.TRUSTEE{
			TrusteeForm:  windows.TRUSTEE_IS_SID,
			TrusteeType:  windows.TRUSTEE_IS_USER,
			TrusteeValue: windows.TrusteeValueFromSID(u.User.Sid),
		},
	}}, nil)
}
