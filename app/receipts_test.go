package app

import (
	"strings"
	"testing"

	"hallway/chat"
)

// Our own room message says how far it got, and who; others' say nothing.
func TestRoomReceiptMark(t *testing.T) {
	r := &chat.Receipts{Delivered: 2, Read: 1, Members: 3, DeliveredTo: []string{"Bob", "Cat"}, ReadBy: []string{"Bob"}}
	own := &chat.Message{Conversation: "room:r1", Outgoing: true, Receipts: r}
	if got := deliveryMark(own); got != "delivered to 2 of 3, read by 1" {
		t.Fatalf("mark %q", got)
	}
	if got := deliveryMark(&chat.Message{Conversation: "room:r1", From: "x"}); got != "" {
		t.Fatalf("a colleague's room message marked %q", got)
	}
	who := receiptWho(*r)
	if !strings.Contains(who, "Delivered to: Bob, Cat") || !strings.Contains(who, "Read by: Bob") {
		t.Fatalf("who: %q", who)
	}
}
