package chat

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		ok   bool
	}{
		{name: "word", text: "hi", ok: true},
		{name: "at 64 KiB", text: strings.Repeat("a", MaxTextBytes), ok: true},
		{name: "one byte over", text: strings.Repeat("a", MaxTextBytes+1)},
		{name: "empty", text: ""},
		{name: "blank", text: " \t\n"},
		{name: "invalid UTF-8", text: "a\xffb"},
		{name: "control characters are text", text: "a\x00b", ok: true},
	} {
		if err := CheckText(tc.text); (err == nil) != tc.ok {
			t.Errorf("%s: CheckText = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

func TestCheckRoomName(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{name: "plain", in: "project", ok: true},
		{name: "spaces and accents", in: "café talk", ok: true},
		{name: "64 runes", in: strings.Repeat("é", MaxNameRunes), ok: true},
		{name: "65 runes", in: strings.Repeat("é", MaxNameRunes+1)},
		{name: "empty", in: ""},
		{name: "hash", in: "#general"},
		{name: "newline", in: "a\nb"},
		{name: "bidi override", in: "a\u202eb"},
		{name: "invalid UTF-8", in: "\xff"},
	} {
		if err := CheckRoomName(tc.in); (err == nil) != tc.ok {
			t.Errorf("%s: CheckRoomName(%q) = %v, want ok %v", tc.name, tc.in, err, tc.ok)
		}
	}
}

func TestCheckProfileFields(t *testing.T) {
	for _, tc := range []struct {
		name, display, status, text string
		ok                          bool
	}{
		{name: "available", display: "Ann", status: StatusAvailable, ok: true},
		{name: "away with text", display: "Ann", status: StatusAway, text: "lunch", ok: true},
		{name: "busy", display: "Ann", status: StatusBusy, ok: true},
		{name: "offline is not sent", display: "Ann", status: StatusOffline},
		{name: "unknown status", display: "Ann", status: "gone"},
		{name: "empty name", display: "", status: StatusAway},
		{name: "long name", display: strings.Repeat("n", MaxNameRunes+1), status: StatusAway},
		{name: "longest name", display: strings.Repeat("n", MaxNameRunes), status: StatusAway, ok: true},
		{name: "long status text", display: "Ann", status: StatusAway, text: strings.Repeat("t", MaxStatusTextRunes+1)},
		{name: "longest status text", display: "Ann", status: StatusAway, text: strings.Repeat("t", MaxStatusTextRunes), ok: true},
		{name: "control in name", display: "A\x07nn", status: StatusAway},
		{name: "bidi in status text", display: "Ann", status: StatusAway, text: "\u2066x"},
		{name: "invalid UTF-8", display: "\xffAnn", status: StatusAway},
	} {
		if err := CheckProfileFields(tc.display, tc.status, tc.text); (err == nil) != tc.ok {
			t.Errorf("%s: CheckProfileFields = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

func TestValidTransferState(t *testing.T) {
	for _, s := range []string{TransferOffered, TransferActive, TransferPaused, TransferDone, TransferFailed, TransferDeclined, TransferCancelled} {
		if !ValidTransferState(s) {
			t.Errorf("%q is not a transfer state", s)
		}
	}
	for _, s := range []string{"", "Done", "running", TransferIn} {
		if ValidTransferState(s) {
			t.Errorf("%q is a transfer state", s)
		}
	}
}
