package cli

import (
	"bytes"
	"strings"
	"testing"

	"hallway/chat"
)

// A forked room says so in the room list.
func TestRoomListShowsAFork(t *testing.T) {
	var b bytes.Buffer
	printRooms(&Env{Stdout: &b}, []chat.Room{{ID: "r1", Name: "project", Forked: map[string]int{"12D3KooWMal": 2}},
		{ID: "r2", Name: "quiet"}})
	lines := strings.Split(b.String(), "\n")
	if !strings.Contains(lines[1], "FORKED") || strings.Contains(lines[2], "FORKED") {
		t.Fatalf("room list:\n%s", b.String())
	}
}
