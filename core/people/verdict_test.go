package people

import (
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
		{"relayed round a firewall", Reach{Online: true, Via: p2p.ViaRelay, RelayName: "Ann", SameSubnet: true, MDNSOn: true, Attempts: tried(p2p.OutcomeTimeout)}, chat.CauseFirewall},
		{"not allowed", Reach{Attempts: tried(p2p.OutcomeNotAllowed)}, chat.CauseNotAllowed},
		{"other workspace", Reach{Attempts: tried(p2p.OutcomeDifferentKey)}, chat.CauseOtherWorkspace},
		{"moved", Reach{Attempts: tried(p2p.OutcomeWrongIdentity)}, chat.CauseMoved},
		{"firewall", Reach{Attempts: tried(p2p.OutcomeTimeout)}, chat.CauseFirewall},
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
