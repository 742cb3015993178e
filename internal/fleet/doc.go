// Package fleet runs real `hallway daemon` processes on the hosts of a
// network-namespace lab (internal/netlab) for end-to-end and chaos tests:
// start, stop, kill -9, the CLI and control API as a user or bot sees
// them, event and log-line waits with deadlines, reading a stopped
// daemon's database, and the desktop window under Xvfb with screenshots.
//
// It builds the hallway binary once per test process. It does not build
// labs, shape traffic or decide what a test asserts.
package fleet
