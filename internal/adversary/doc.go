// Package adversary is a hostile Hallway peer for chaos tests: a real
// libp2p node (TCP, Noise, yamux, the workspace key when it has one) that
// speaks Hallway's protocols wrongly on purpose. It forges authors,
// replays captured room messages, dates posts a year ahead and numbers
// them with holes and jumps, sends oversize, truncated and
// impossible frames, floods streams, connections and requests, serves
// hostile files (content changed after its offer, manifests that
// contradict their offer) and sync answers, asks for files as a member
// that takes whatever it is sent (shares that ended, were withdrawn or
// changed), spoofs and floods mDNS announcements, and captures packets as
// an eavesdropper would.
//
// Every socket it opens lives in the network namespace it is given, so it
// runs inside a test process next to a lab of real daemons. It uses the
// product's own encoders where a test needs well-formed pieces to abuse.
// It asserts nothing: tests decide what the victims must have done.
package adversary
