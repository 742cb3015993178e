package core

import (
	"runtime"
	"runtime/metrics"

	hcrypto "hallway/crypto"
	"hallway/p2p"
)

// Stats is a snapshot of what a running node holds: for operators, and for
// tests that check a flood or a flapping link leaves nothing behind.
type Stats struct {
	Goroutines int `json:"goroutines"`
	// HeapBytes is the live heap as of the last garbage collection, which
	// unlike the allocated heap does not swing with uncollected garbage.
	HeapBytes uint64 `json:"heap_bytes"`
	SysBytes  uint64 `json:"sys_bytes"` // memory obtained from the OS
	// SignaturesVerified counts the room envelope and receipt signatures
	// checked since the start, by gossip and sync: about one per room
	// message taken (RoomAccepted) when gossip carries one signature.
	SignaturesVerified uint64 `json:"signatures_verified"`
	// RoomSyncs counts the room sync requests this node made that were
	// answered, RoomSyncsEmpty those whose answer held nothing.
	RoomSyncs      uint64 `json:"room_syncs"`
	RoomSyncsEmpty uint64 `json:"room_syncs_empty"`
	p2p.NetStats
}

var statSamples = []string{"/gc/heap/live:bytes", "/memory/classes/total:bytes"}

// Stats reads the runtime and network counters.
func (s *Service) Stats() Stats {
	samples := make([]metrics.Sample, len(statSamples))
	for i, name := range statSamples {
		samples[i].Name = name
	}
	metrics.Read(samples)
	value := func(i int) uint64 {
		if samples[i].Value.Kind() == metrics.KindUint64 {
			return samples[i].Value.Uint64()
		}
		return 0
	}
	syncs, empty := s.rooms.Syncer().Counts()
	return Stats{
		Goroutines:         runtime.NumGoroutine(),
		HeapBytes:          value(0),
		SysBytes:           value(1),
		SignaturesVerified: hcrypto.SignaturesVerified(),
		RoomSyncs:          syncs,
		RoomSyncsEmpty:     empty,
		NetStats:           s.node.Stats(),
	}
}
