// Package files prepares files and folders for peer-to-peer transfer and
// receives them without trusting the sender.
//
// A sender describes what it offers with a Manifest: the name the user
// sees, and for every regular file its relative path, size and the
// BLAKE3-256 hash of each fixed-size chunk. The manifest's own hash
// (Manifest.Hash) travels in the offer, so a receiver that fetched the
// manifest separately can check it, and then check every chunk against it
// (VerifyChunk) before writing.
//
// Everything that comes from a peer is treated as hostile: UnmarshalManifest
// enforces hard caps before allocating, SafeName and SafeRelPath turn
// arbitrary names into ones that are harmless on Linux, macOS and Windows,
// and Downloads confines every write to the downloads folder through
// os.Root, writing to a hidden ".partial" file that only becomes visible
// under its real name once complete, never replacing an existing file.
// Policy decides whether an offer is accepted at all. On the sending side,
// Shared opens what is served through os.Root too, only as the regular
// files that were hashed, never through a link planted since.
//
// The package does no networking, keeps no state between runs and does not
// decide where the downloads folder is; resuming, scheduling and retrying
// chunk requests belong to the caller.
package files
