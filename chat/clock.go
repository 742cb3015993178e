package chat

import "time"

// MaxClockSkew is how far ahead of this machine's clock a colleague's clock
// may run and still be believed. Machines of one office keep time within a
// second or so; a clock further ahead is wrong or lying, and a message
// dated by it is placed and shown at the time it arrived instead, so that
// it cannot sit at the end of a conversation until its date comes, nor
// hold a read marker in the future.
const MaxClockSkew = time.Minute

// ShownTime is the time a message is shown and ordered by: the time its
// author claims to have written it, unless that is more than MaxClockSkew
// after the time it was received, then the time received. The claim stays
// stored and signed as the author made it.
func ShownTime(sent, received time.Time) time.Time {
	if !received.IsZero() && sent.After(received.Add(MaxClockSkew)) {
		return received
	}
	return sent
}

// SetTime sets m.Time from the author's claim and the time received (see
// ShownTime), and m.ClaimedTime to the claim when it is not what is shown.
func (m *Message) SetTime(sent, received time.Time) {
	m.Time, m.ClaimedTime = ShownTime(sent, received), time.Time{}
	if !m.Time.Equal(sent) {
		m.ClaimedTime = sent
	}
}
