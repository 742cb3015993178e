package people

import (
	"hallway/discovery"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A colleague's profile may introduce 64 colleagues, and one gone rogue
// can make all of them up, at addresses where a dial hangs until its
// timeout. Left alone, their dials would take every hint worker for
// minutes (64 peers, each tried again on the back-off) while real
// newcomers wait behind them in the queue. So a hint that rests on one
// colleague's word alone (no second colleague named the peer, mDNS never
// announced it) shares that colleague's allowance: introducerQueued in
// the queue and introducerDials dialling at once; the rest wait their
// turn (retryHints). Such a hint is tried again soleHintRetries times
// after failing, not hintRetries: the long retrying is for a newcomer an
// office introduces all at once and who takes that long to answer
// everyone, and an office introduces it many times over.
const (
	introducerQueued = 8
	introducerDials  = 2
	soleHintRetries  = 3
)

// vouch notes where a hint for st's peer came from; the caller holds d.mu.
// An introduction without its introducer counts as a second word.
func (st *dialState) vouch(via string, from peer.ID) {
	switch {
	case st.vouched:
	case via != discovery.ViaPeer || from == "":
		st.vouched, st.sole = true, ""
	case st.sole == "":
		st.sole = from
	case st.sole != from:
		st.vouched, st.sole = true, ""
	}
}

// retries is how often st's hint is dialled again after failing.
func (st *dialState) retries() int {
	if st.sole != "" {
		return soleHintRetries
	}
	return hintRetries
}

// roomInQueue reports whether st's hint may take a place in the hint
// queue now; the caller holds d.mu.
func (d *Dialer) roomInQueue(st *dialState) bool {
	if st.sole == "" {
		return true
	}
	n := 0
	for _, q := range d.hints {
		if q.sole == st.sole {
			n++
		}
	}
	return n < introducerQueued
}

// nextHint is the index in d.hints of the first hint whose introducer
// has a dial to spare, or -1; the caller holds d.mu.
func (d *Dialer) nextHint() int {
	for i, st := range d.hints {
		if st.sole == "" || d.dialling[st.sole] < introducerDials {
			return i
		}
	}
	return -1
}

// startHint counts st's dial against its introducer, until endHint; the
// caller holds d.mu.
func (d *Dialer) startHint(st *dialState) {
	st.dialFor = st.sole
	if st.dialFor != "" {
		d.dialling[st.dialFor]++
	}
}

// endHint ends what startHint counted and wakes a worker for a hint that
// waited on it; the caller holds d.mu.
func (d *Dialer) endHint(st *dialState) {
	if st.dialFor == "" {
		return
	}
	if d.dialling[st.dialFor]--; d.dialling[st.dialFor] <= 0 {
		delete(d.dialling, st.dialFor)
	}
	st.dialFor = ""
	d.signal()
}
