// Package policy is a workspace's policy document: what every node of the
// workspace enforces on itself (file transfer, retention, open-LAN mode,
// who may make rooms, an acceptable-use notice). An admin signs each
// version; this package only parses, checks, edits and compares versions,
// and says what a version means for a node's own settings.
package policy
