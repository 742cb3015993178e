// Package crypto holds the key material a Hallway node keeps on disk and
// shows to people: the node's Ed25519 identity, the fingerprint users read
// aloud to verify each other, the private workspace key (a libp2p pnet
// pre-shared key) with its swarm.key file format, public workspace tag and
// derived subkeys, and the invite codes that carry that key from person to
// person. It also provides the crash-safe file write used for all of these.
//
// It does not open connections, encrypt messages, exchange keys or decide
// whom to trust: it only creates, stores, encodes and checks keys. Callers
// hand the results to libp2p and to the messaging layers.
package crypto
