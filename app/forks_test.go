package app

import (
	"strings"
	"testing"

	"hallway/chat"
)

// A room where a member was seen signing two versions of a message warns
// in its header, from the room event the core sends when it finds one.
func TestARoomForkWarnsInTheHeader(t *testing.T) {
	f := office()
	u := newTestUI(t, f)
	u.open("room:" + genID)
	if u.header.warn.Visible() {
		t.Fatal("a warning before any fork")
	}
	u.deliver(chat.RoomForked{Fork: chat.RoomFork{Room: genID, Author: bobID, Seq: 4}})
	u.deliver(chat.RoomChanged{Room: chat.Room{ID: genID, Name: "general", General: true, Members: 3,
		Forked: map[string]int{bobID: 1}}})
	if !u.header.warn.Visible() || !strings.Contains(u.header.warnTxt.Text(), "different versions") {
		t.Fatalf("header warning: visible %v, %q", u.header.warn.Visible(), u.header.warnTxt.Text())
	}
}
