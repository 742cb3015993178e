package p2p

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"

	"github.com/libp2p/go-libp2p/core/sec"
	swarm "github.com/libp2p/go-libp2p/p2p/net/swarm"
	ma "github.com/multiformats/go-multiaddr"
)

// What became of a dial to one address, for people asking why a colleague
// is not connected (hallway doctor).
const (
	OutcomeRefused       = "refused"             // the computer answers; nothing listens there (Hallway is not running)
	OutcomeTimeout       = "timed out"           // no answer: a firewall drops it, or the computer is off
	OutcomeBusy          = "busy"                // connected, but the colleague did not finish in time: its computer is busy
	OutcomeUnreachable   = "unreachable"         // no route, or nobody at that address on the LAN
	OutcomeDifferentKey  = "different workspace" // the handshake fails: another workspace key, or not Hallway
	OutcomeNotAllowed    = "not allowed"         // outside the LAN and the allowed ranges
	OutcomeWrongIdentity = "identity mismatch"   // another Hallway answers there
	OutcomeFailed        = "failed"              // anything else
)

// DialAttempt is one address of a failed dial and what became of it.
type DialAttempt struct {
	Addr    string `json:"addr"`
	Outcome string `json:"outcome"`
	Detail  string `json:"detail,omitempty"`
}

// DialFailure is how Connect fails: Reason is one of the Err* reasons
// (errors.Is finds it), Attempts says what each address did.
type DialFailure struct {
	Reason   error
	Attempts []DialAttempt
}

func (f *DialFailure) Error() string { return f.Reason.Error() }
func (f *DialFailure) Unwrap() error { return f.Reason }

// dialAttempts sorts out what each of addrs did in the failed dial err;
// reason is the dial's classified reason.
func dialAttempts(err, reason error, addrs []ma.Multiaddr) []DialAttempt {
	per := map[string]error{}
	var de *swarm.DialError
	if errors.As(err, &de) {
		for _, te := range de.DialErrors {
			per[te.Address.String()] = te.Cause
		}
	}
	out := make([]DialAttempt, 0, len(addrs))
	for _, a := range addrs {
		cause, ok := per[a.String()]
		if !ok {
			cause = err
		}
		o := outcome(cause)
		// A plain TCP connection succeeded where the handshake did not
		// (classifyDialError): whatever the handshake's error, that is
		// another workspace or, for a peer known to share our key, a
		// busy machine; not a firewall.
		switch {
		case o != OutcomeFailed && o != OutcomeTimeout, isCircuit(a):
		case errors.Is(reason, ErrDifferentWorkspace):
			o = OutcomeDifferentKey
		case errors.Is(reason, ErrSlowHandshake):
			o = OutcomeBusy
		}
		at := DialAttempt{Addr: a.String(), Outcome: o}
		if o == OutcomeFailed {
			at.Detail = firstLine(cause.Error())
		}
		out = append(out, at)
	}
	return out
}

// outcome classifies the cause of one address's failure.
func outcome(err error) string {
	var mismatch sec.ErrPeerIDMismatch
	msg := err.Error()
	switch {
	case errors.Is(err, swarm.ErrGaterDisallowedConnection), strings.Contains(msg, "gater disallows"), errors.Is(err, ErrNotLAN):
		return OutcomeNotAllowed
	case errors.As(err, &mismatch), strings.Contains(msg, "peer id mismatch"):
		return OutcomeWrongIdentity
	case errors.Is(err, syscall.ECONNREFUSED):
		return OutcomeRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTDOWN):
		return OutcomeUnreachable
	case errors.Is(err, ErrDifferentWorkspace):
		return OutcomeDifferentKey
	case errors.Is(err, ErrSlowHandshake), identifyUnfinished(msg):
		return OutcomeBusy
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), os.IsTimeout(err),
		strings.Contains(msg, "i/o timeout"), strings.Contains(msg, "deadline exceeded"):
		return OutcomeTimeout
	}
	return OutcomeFailed
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
