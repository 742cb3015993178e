package e2e

import (
	"os"
	"testing"

	"hallway/internal/fleet"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fleet.Cleanup()
	os.Exit(code)
}
