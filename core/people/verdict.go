package people

import (
	"fmt"
	"slices"
	"time"

	"hallway/chat"
	"hallway/discovery"
	"hallway/p2p"
)

// Reach is what is known of one colleague's reachability, for Verdict.
type Reach struct {
	Name      string
	Online    bool
	Via       string // p2p.ViaDirect or p2p.ViaRelay
	RelayName string
	Blocked   bool
	// SameSubnet: one of their addresses is on a subnet of ours, where
	// mDNS should find them.
	SameSubnet bool
	MDNSOn     bool
	Seen       map[string]time.Time
	LastSeen   time.Time
	Attempts   []p2p.DialAttempt
	Skew       time.Duration
	SkewKnown  bool
	Port       int // the port colleagues reach us on
}

// Verdict names the cause that keeps a colleague out of reach, or
// reached in a lesser way, and says it in one line with the fix.
func Verdict(r Reach) (cause, line string) {
	outcome := func(o string) (string, bool) {
		i := slices.IndexFunc(r.Attempts, func(a p2p.DialAttempt) bool { return a.Outcome == o })
		if i < 0 {
			return "", false
		}
		return r.Attempts[i].Addr, true
	}
	_, seenMDNS := r.Seen[discovery.ViaMDNS]
	skewed := r.SkewKnown && (r.Skew > ClockSkewWarn || r.Skew < -ClockSkewWarn)
	switch {
	case r.Blocked:
		return chat.CauseBlocked, fmt.Sprintf("You blocked %s; nothing of theirs is kept: hallway unblock %s.", r.Name, r.Name)
	case r.Online && skewed:
		return chat.CauseClockSkew, fmt.Sprintf("Connected, but %s's clock is %s %s of yours: message times, expiries and ordering go wrong; set both computers to the network time.",
			r.Name, r.Skew.Abs().Round(time.Second), aheadOrBehind(r.Skew))
	case r.Online && r.Via == p2p.ViaRelay && (r.SameSubnet || hasOutcome(r.Attempts, p2p.OutcomeTimeout)):
		// On our own subnet, or after a dial timed out, a relay means the
		// direct path is dropped, whoever dialled first.
		return chat.CauseFirewall, fmt.Sprintf("Connected only through %s's Hallway: a firewall (or Wi-Fi client isolation) drops direct traffic between you (TCP port %d). Files go slower; open the port for a direct path.",
			r.RelayName, r.Port)
	case r.Online && r.SameSubnet && r.MDNSOn && !seenMDNS:
		return chat.CauseMulticastBlocked, fmt.Sprintf("Connected through %s, but mDNS never found %s on your own subnet: the network blocks multicast. Invite codes and peers add keep working.",
			sourceOf(r), r.Name)
	case r.Online && r.Via == p2p.ViaRelay:
		return chat.CauseNone, fmt.Sprintf("Connected through %s's Hallway: no direct path between you (Wi-Fi client isolation or a firewall); large files go slower.", r.RelayName)
	case r.Online:
		return chat.CauseNone, "Connected directly."
	}
	if a, ok := outcome(p2p.OutcomeNotAllowed); ok {
		return chat.CauseNotAllowed, fmt.Sprintf("%s is at %s, outside the LAN's private ranges: if that is the office VPN, allow its range (hallway daemon --allow-net CIDR, and for everyone: hallway policy set network.allow CIDR).", r.Name, a)
	}
	if a, ok := outcome(p2p.OutcomeDifferentKey); ok {
		return chat.CauseOtherWorkspace, fmt.Sprintf("A Hallway of another workspace answers at %s: %s must join this one with its invite code (hallway workspace invite).", a, r.Name)
	}
	if a, ok := outcome(p2p.OutcomeWrongIdentity); ok {
		return chat.CauseMoved, fmt.Sprintf("Another colleague's Hallway answers at %s, where %s was: they moved; add them again (hallway peers add THEIR-COMPUTER).", a, r.Name)
	}
	if a, ok := outcome(p2p.OutcomeBusy); ok {
		return chat.CauseBusy, fmt.Sprintf("%s's Hallway at %s took the connection but did not finish connecting in time: the computer is busy or very slow. Hallway keeps trying.", r.Name, a)
	}
	if a, ok := outcome(p2p.OutcomeTimeout); ok {
		return chat.CauseFirewall, fmt.Sprintf("No answer at %s: a firewall drops Hallway's traffic (TCP port %d) between you, or the computer is off. Open the port, or a colleague who reaches both relays for you.", a, r.Port)
	}
	if a, ok := outcome(p2p.OutcomeRefused); ok {
		return chat.CauseOffline, fmt.Sprintf("%s's computer answers at %s, but Hallway is not running there.", r.Name, a)
	}
	if a, ok := outcome(p2p.OutcomeUnreachable); ok {
		return chat.CauseOffline, fmt.Sprintf("%s's computer does not answer at %s: it is off, asleep or unplugged.", r.Name, a)
	}
	if len(r.Seen) == 0 && r.LastSeen.IsZero() {
		return chat.CauseNeverSeen, fmt.Sprintf("%s was never found: not on your subnet (mDNS does not cross routers) and no colleague introduced them. Join with an invite code made on their Hallway, or hallway peers add THEIR-COMPUTER.", r.Name)
	}
	if len(r.Attempts) > 0 {
		return chat.CauseOffline, fmt.Sprintf("%s is not reachable now: %s.", r.Name, r.Attempts[0].Detail)
	}
	return chat.CauseOffline, fmt.Sprintf("%s is offline (last seen %s).", r.Name, r.LastSeen.Local().Format("2 Jan 15:04"))
}

func hasOutcome(attempts []p2p.DialAttempt, o string) bool {
	return slices.ContainsFunc(attempts, func(a p2p.DialAttempt) bool { return a.Outcome == o })
}

func aheadOrBehind(d time.Duration) string {
	if d > 0 {
		return "ahead"
	}
	return "behind"
}

// sourceOf names how we came to know an online colleague we never heard
// by mDNS.
func sourceOf(r Reach) string {
	switch {
	case !r.Seen["peer"].IsZero():
		return "a colleague's introduction"
	case !r.Seen[discovery.ViaStatic].IsZero():
		return "a saved address"
	}
	return "their own dial"
}
