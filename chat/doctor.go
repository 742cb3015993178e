package chat

import "time"

// Diagnosis is why colleagues are or are not reachable, as hallway doctor
// and the window's "Why can't I see…" panel tell it.
type Diagnosis struct {
	Node       NodeHealth        `json:"node"`
	Colleagues []ColleagueHealth `json:"colleagues"`
}

// NodeHealth is this node's side of reachability.
type NodeHealth struct {
	Addrs []string `json:"addrs"` // where colleagues reach us
	// Subnets are the networks of this computer's interfaces.
	Subnets    []string          `json:"subnets"`
	Interfaces []InterfaceHealth `json:"interfaces"`
	// MDNS: LAN discovery is on; MDNSHeard is when it last heard another
	// Hallway (zero: never since the start).
	MDNS      bool      `json:"mdns"`
	MDNSHeard time.Time `json:"mdns_heard,omitzero"`
	// AllowNets are the ranges allowed beyond the LAN's private ones.
	AllowNets []string `json:"allow_nets,omitempty"`
	// Relays are the colleagues holding a relay slot for us, by name.
	Relays []string `json:"relays"`
	// Verdict is one line on this node, "" when nothing is wrong.
	Verdict string `json:"verdict,omitempty"`
}

// InterfaceHealth is one network interface of this computer.
type InterfaceHealth struct {
	Name      string   `json:"name"`
	Addrs     []string `json:"addrs"`
	Up        bool     `json:"up"`
	Multicast bool     `json:"multicast"`
	// MDNS: mDNS runs on it.
	MDNS bool `json:"mdns"`
}

// Causes of a colleague being out of reach, or reached in a lesser way.
const (
	CauseNone             = ""
	CauseBlocked          = "blocked"
	CauseMulticastBlocked = "multicast blocked"
	CauseFirewall         = "firewall drop"
	CauseOtherWorkspace   = "different workspace"
	CauseOffline          = "peer offline"
	CauseBusy             = "busy"
	CauseNotAllowed       = "not allowed range"
	CauseClockSkew        = "clock skew"
	CauseMoved            = "identity mismatch"
	CauseNeverSeen        = "never seen"
)

// ColleagueHealth is one colleague's reachability.
type ColleagueHealth struct {
	PeerID string `json:"peer_id"`
	Name   string `json:"name"`
	Online bool   `json:"online"`
	Via    string `json:"via,omitempty"`   // direct or relay, when online
	Relay  string `json:"relay,omitempty"` // the relaying colleague's name
	// Seen is when each source last reported them: mdns, peer (a
	// colleague's introduction), static (an address saved or configured).
	Seen     map[string]time.Time `json:"seen,omitempty"`
	LastSeen time.Time            `json:"last_seen,omitzero"`
	// Attempts are the addresses of the last failed dial and what each did.
	Attempts  []DialAttempt `json:"attempts,omitempty"`
	AttemptAt time.Time     `json:"attempt_at,omitzero"`
	// ClockSkewMs is how far their clock is ahead of ours (negative:
	// behind), when known.
	ClockSkewMs *int64 `json:"clock_skew_ms,omitempty"`
	// Cause is one of the Cause constants; Verdict says it in a line, with
	// the fix.
	Cause   string `json:"cause"`
	Verdict string `json:"verdict"`
}

// DialAttempt is one address tried and what became of it: refused, timed
// out, unreachable, different workspace, not allowed, identity mismatch,
// or failed.
type DialAttempt struct {
	Addr    string `json:"addr"`
	Outcome string `json:"outcome"`
	Detail  string `json:"detail,omitempty"`
}
