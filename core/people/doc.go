// Package people knows who the colleagues are and how to reach them: the
// directory of colleagues and the resolution of what a user types ("Bob",
// "Bob#12345-67890", a peer ID) to one of them; this node's own profile and the
// profiles colleagues push; the dialer that turns sightings into
// connections; the intake of discovery (static addresses, mDNS, addresses
// the user adds); the trust book (verification, name warnings, labels);
// and the block list, the keys the user blocked.
//
// It does not own the network host, history or the event bus: it reaches
// them through the small interfaces in deps.go. It does not deliver
// messages, keep rooms or move files, and it does not decide what a
// connection is allowed to do: the p2p layer enforces the workspace and
// refuses the blocked keys it is given, and each feature drops what a
// blocked key sends.
package people
