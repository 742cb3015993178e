// Package p2p runs Hallway's libp2p host on an office LAN and speaks Hallway's
// stream protocols over it.
//
// The host uses TCP, Noise and yamux only. It never uses relays, NAT port
// mapping, hole punching or public bootstrap peers; it refuses connections to
// and from public addresses and advertises only LAN addresses. With a
// workspace key it becomes a libp2p private network, invisible to anyone
// without the key.
//
// The package does not store anything and does not decide what a message
// means: it hands validated frames to a Handler (implemented by the core
// service) and sends what it is told to send. Identity always comes from the
// authenticated connection, never from a payload.
package p2p
