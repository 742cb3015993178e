package chaos

import (
	"os"
	"testing"

	"hallway/internal/fleet"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fleet.Cleanup()
	if err := writeReport(); err != nil {
		os.Stderr.WriteString("reliability report: " + err.Error() + "\n")
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}
