package core

import (
	"runtime"

	"hallway/p2p"
)

// Stats is a snapshot of what a running node holds: for operators, and for
// tests that check a flood or a flapping link leaves nothing behind.
type Stats struct {
	Goroutines int    `json:"goroutines"`
	HeapBytes  uint64 `json:"heap_bytes"` // live heap objects
	SysBytes   uint64 `json:"sys_bytes"`  // memory obtained from the OS
	p2p.NetStats
}

// Stats reads the runtime and network counters.
func (s *Service) Stats() Stats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Stats{
		Goroutines: runtime.NumGoroutine(),
		HeapBytes:  ms.HeapAlloc,
		SysBytes:   ms.Sys,
		NetStats:   s.node.Stats(),
	}
}
