package crypto

import "sync/atomic"

// signaturesVerified counts the room envelope and receipt signatures this
// process checked, for the operator's stats: one per room message is the
// cost the gossip design aims at.
var signaturesVerified atomic.Uint64

// SignaturesVerified is how many room envelope and receipt signatures
// this process has verified since it started.
func SignaturesVerified() uint64 { return signaturesVerified.Load() }
