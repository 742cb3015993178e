package people

import (
	"errors"

	"hallway/p2p"
)

// When an office's machines are busy (all arriving at once, a machine
// swapping), a handshake may take longer than a dial allows: the dial
// fails after both machines did most of the work, is tried again on the
// back-off, and every colleague's workers, dialling at once, keep the
// machines as busy as they were. So the dials a node runs at once follow
// what they find, as TCP's window does: each dial that finds the
// colleague's machine too busy to finish connecting in time
// (p2p.ErrSlowHandshake) halves how many may run, down to one, and each
// that connects lets one more run, up to maxConcurrentDials. Dials that
// fail for any other reason (nobody at the address, a firewall) say
// nothing of how busy machines are, and change nothing; nor does a hint
// on one colleague's word alone (dialintro.go): a colleague gone rogue
// could point us at addresses that take connections and never answer,
// and hold back every other dial so. The worker kept
// for colleagues (take's knownOnly) always runs: a colleague waiting to
// be reconnected is never held behind the pace.

// mayStart reports whether a worker may start a dial now; the caller
// holds d.mu.
func (d *Dialer) mayStart(knownOnly bool) bool {
	return knownOnly || d.running < d.pace
}

// started counts a dial that starts; the caller holds d.mu.
func (d *Dialer) started() { d.running++ }

// finished counts st's dial, which ended with err, and paces the next
// ones; the caller holds d.mu.
func (d *Dialer) finished(st *dialState, err error) {
	d.running--
	switch {
	case err == nil:
		d.pace = min(d.pace+1, maxConcurrentDials)
	case errors.Is(err, p2p.ErrSlowHandshake) && st.sole == "":
		d.pace = max(d.pace/2, 1)
	}
	d.signal()
}
