// Package control is the local control API of a running Hallway: JSON over
// HTTP on a Unix socket inside the data folder, owner-only. The CLI, bots
// and tests use it; the window and the daemon serve it.
//
// The socket's file permissions are the access control: anyone who can
// open it acts as the user. The package does not implement messaging; it
// translates requests into calls on its Backends, one small interface per
// resource, through one endpoint table that the Client calls as well.
package control
