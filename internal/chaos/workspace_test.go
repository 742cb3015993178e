package chaos

import (
	"testing"

	"hallway/internal/fleet"
)

// privateOffice prepares daemons (not started) that share a new private
// workspace, and returns its invite code.
func privateOffice(t *testing.T, ds []*fleet.Daemon) string {
	t.Helper()
	created := fleet.Decode[map[string]any](t, ds[0].CLI("workspace", "create", "--json"))
	code, _ := created["invite_code"].(string)
	if code == "" {
		t.Fatalf("workspace create gave no invite code: %v", created)
	}
	for _, d := range ds[1:] {
		d.CLI("workspace", "join", code)
	}
	return code
}
