// Package crypto holds the key material a Hallway node keeps on disk and
// shows to people: the node's Ed25519 identity, the fingerprint users read
// aloud to verify each other, the private workspace key (a libp2p pnet
// pre-shared key) with its swarm.key file format, public workspace tag and
// derived subkeys, and the invite codes that carry that key from person to
// person. It also provides the crash-safe file write used for all of these.
//
// For rooms (group chats) it holds the room keys and ids, the general room
// every workspace has, room invite codes, the proof of membership a peer
// shows before it is served a room's history, and the envelope format in
// which a room message is sealed with the room key, signed by its author
// and stored by every member.
//
// It does not open connections, exchange keys or decide whom to trust:
// callers hand its results to libp2p and to the messaging layers, which
// decide what to send, to whom, and which authors to believe.
package crypto
