// Package node wires a Hallway node and keeps it running: it opens the
// core service for a data folder, serves the control API for it, and
// restarts it in place when the workspace or the file policy changes. The
// daemon, the window and the tests all run nodes through it.
//
// It does not implement messaging (core does), draw anything (app does) or
// parse command lines (cli does).
package node
