// Package core is the Hallway messenger service: colleagues, presence,
// direct messages with a durable outbox, and the events a user interface or
// a script follows. The window, the daemon, the CLI and the tests all drive
// this one service.
//
// core wires the p2p host, discovery, crypto and storage together and owns
// the rules between them: what is on screen is already on disk, identity
// comes from keys never from names, and a message is sent until the
// colleague has committed it. It does not draw anything and does not parse
// command lines.
package core
