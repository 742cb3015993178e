// Package fleet runs real `hallway daemon` processes on the hosts of a
// network-namespace lab (internal/netlab) for end-to-end and chaos tests:
// start, stop, kill -9, the CLI and control API as a user or bot sees
// them, event waits with deadlines, and reading a stopped daemon's
// database.
//
// It builds the hallway binary once per test process. It does not build
// labs, shape traffic or decide what a test asserts.
package fleet
