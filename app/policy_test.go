package app

import (
	"encoding/json"
	"strings"
	"testing"

	"hallway/chat"
)

func noticePolicy(version uint64, acknowledged bool) *chat.Policy {
	doc, _ := json.Marshal(map[string]any{"version": version, "files": map[string]any{"blocked": []string{".exe"}},
		"retention": map[string]any{"workspace_days": 30}, "notice": "No customer data in #general."})
	return &chat.Policy{Version: version, SetBy: "12D3KooWAdmin", SetByName: "Ann", SetAt: day0, Document: doc, NoticeAcknowledged: acknowledged,
		Rules: []string{".exe files refused", "history kept 30 days"}, Notice: "No customer data in #general."}
}

// A notice the member has not acknowledged is put up when the window
// opens; acknowledging it is one button, and it is not put up again.
func TestNoticeAcknowledgedFromTheWindow(t *testing.T) {
	f := office()
	f.policy = noticePolicy(2, false)
	u := newTestUI(t, f)
	if u.win.Canvas().Overlays().Top() == nil {
		t.Fatal("the notice was not put up")
	}
	_, acknowledge := u.noticeDialog("No customer data in #general.", u.policy)
	acknowledge()
	if len(f.actions) != 1 || f.actions[0] != "acknowledge" || !u.policy.NoticeAcknowledged {
		t.Fatalf("actions %v, policy %+v", f.actions, u.policy)
	}
	// The next version's notice is put up again; an acknowledged one never.
	u.deliver(chat.PolicyChanged{Policy: *noticePolicy(3, false)})
	if u.noticeShown != 3 {
		t.Fatalf("version 3's notice not put up (shown %d)", u.noticeShown)
	}
	u.deliver(chat.PolicyChanged{Policy: *noticePolicy(4, true)})
	if u.noticeShown != 3 {
		t.Fatal("an acknowledged notice was put up")
	}
}

func TestPolicySummary(t *testing.T) {
	if s := policySummary(nil); !strings.Contains(s, "no admins") {
		t.Fatalf("no policy: %q", s)
	}
	s := policySummary(noticePolicy(2, true))
	for _, want := range []string{"Version 2", "set by Ann on 2 Mar 2026", ".exe files refused", "history kept 30 days", "read-only"} {
		if !strings.Contains(s, want) {
			t.Fatalf("summary %q lacks %q", s, want)
		}
	}
}

// The settings name the admins, and ask for a second while there is one.
func TestPolicySummaryNamesTheAdmins(t *testing.T) {
	p := noticePolicy(2, true)
	p.Admins = []chat.Colleague{{PeerID: "12D3KooWAdmin", Name: "Ann"}}
	if s := policySummary(p); !strings.Contains(s, "Admins: Ann.") || !strings.Contains(s, "second admin is recommended") {
		t.Fatalf("one admin: %q", s)
	}
	p.Admins = append(p.Admins, chat.Colleague{PeerID: "12D3KooWBob", Name: "Bob"})
	if s := policySummary(p); !strings.Contains(s, "Admins: Ann, Bob.") || strings.Contains(s, "recommended") {
		t.Fatalf("two admins: %q", s)
	}
	if s := policySummary(&chat.Policy{Admins: p.Admins[:1]}); !strings.Contains(s, "No admin has set a policy") || !strings.Contains(s, "recommended") {
		t.Fatalf("no policy yet: %q", s)
	}
}
