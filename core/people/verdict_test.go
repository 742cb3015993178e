package people

import (
	"fmt"
	"testing"
	"time"

	"hallway/chat"
	"hallway/discovery"
	"hallway/p2p"
)

func TestVerdictNamesEachCause(t *testing.T) {
	now := time.Now()
	tried := func(o string) []p2p.DialAttempt {
		return []p2p.DialAttempt{{Addr: "/ip4/10.0.0.9/tcp/4774", Outcome: o}}
	}
	for _, tt := range []struct {
		name string
		r    Reach
		want string
	}{
		{"blocked", Reach{Blocked: true, Online: false}, chat.CauseBlocked},
		{"clock skew", Reach{Online: true, SkewKnown: true, Skew: -time.Hour}, chat.CauseClockSkew},
		{"small skew is fine", Reach{Online: true, SkewKnown: true, Skew: 30 * time.Second}, chat.CauseNone},
		{"multicast blocked", Reach{Online: true, SameSubnet: true, MDNSOn: true, Seen: map[string]time.Time{"peer": now}}, chat.CauseMulticastBlocked},
		{"found by mDNS", Reach{Online: true, SameSubnet: true, MDNSOn: true, Seen: map[string]time.Time{discovery.ViaMDNS: now}}, chat.CauseNone},
		{"another subnet", Reach{Online: true, MDNSOn: true, Seen: map[string]time.Time{"peer": now}}, chat.CauseNone},
		{"relayed", Reach{Online: true, Via: p2p.ViaRelay, RelayName: "Ann"}, chat.CauseNone},
		{"relayed on our own subnet", Reach{Online: true, Via: p2p.ViaRelay, RelayName: "Ann", SameSubnet: true, MDNSOn: true}, chat.CauseFirewall},
		{"relayed round a firewall", Reach{Online: true, Via: p2p.ViaRelay, RelayName: "Ann", SameSubnet: true, MDNSOn: true, Attempts: tried(p2p.OutcomeTimeout)}, chat.CauseFirewall},
		{"not allowed", Reach{Attempts: tried(p2p.OutcomeNotAllowed)}, chat.CauseNotAllowed},
		{"other workspace", Reach{Attempts: tried(p2p.OutcomeDifferentKey)}, chat.CauseOtherWorkspace},
		{"moved", Reach{Attempts: tried(p2p.OutcomeWrongIdentity)}, chat.CauseMoved},
		{"firewall", Reach{Attempts: tried(p2p.OutcomeTimeout)}, chat.CauseFirewall},
		{"busy", Reach{Attempts: tried(p2p.OutcomeBusy)}, chat.CauseBusy},
		{"refused", Reach{Attempts: tried(p2p.OutcomeRefused)}, chat.CauseOffline},
		{"unreachable", Reach{Attempts: tried(p2p.OutcomeUnreachable)}, chat.CauseOffline},
		{"never seen", Reach{}, chat.CauseNeverSeen},
		{"last seen", Reach{LastSeen: now}, chat.CauseOffline},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.Name = "Bob"
			cause, line := Verdict(tt.r)
			if cause != tt.want || line == "" {
				t.Fatalf("cause %q (%s), want %q", cause, line, tt.want)
			}
		})
	}
}

// A dial through a relay that fails after a direct one timed out keeps
// the timeout: connected through the relay, the cause is the firewall.
func TestMergedAttemptsKeepTheFirewall(t *testing.T) {
	direct := p2p.DialAttempt{Addr: "/ip4/10.0.0.2/tcp/4774", Outcome: p2p.OutcomeTimeout}
	circuit := p2p.DialAttempt{Addr: "/ip4/10.0.0.3/tcp/4774/p2p/x/p2p-circuit", Outcome: p2p.OutcomeFailed}
	got := mergeAttempts([]p2p.DialAttempt{circuit}, []p2p.DialAttempt{direct})
	if len(got) != 2 || got[0] != circuit || got[1] != direct {
		t.Fatalf("merged %+v", got)
	}
	again := mergeAttempts([]p2p.DialAttempt{{Addr: direct.Addr, Outcome: p2p.OutcomeRefused}}, got)
	if len(again) != 2 || again[0].Outcome != p2p.OutcomeRefused {
		t.Fatalf("an address's newer outcome: %+v", again)
	}
	cause, _ := Verdict(Reach{Name: "Eve", Online: true, Via: p2p.ViaRelay, RelayName: "Dan", Attempts: got})
	if cause != chat.CauseFirewall {
		t.Errorf("cause %q, want the firewall", cause)
	}
	var many []p2p.DialAttempt
	for i := range 20 {
		many = mergeAttempts([]p2p.DialAttempt{{Addr: fmt.Sprint(i)}}, many)
	}
	if len(many) != maxAttempts || many[0].Addr != "19" {
		t.Errorf("kept %d, newest %q", len(many), many[0].Addr)
	}
}
