// Package chaos holds Hallway's chaos and adversarial scenarios (the R and
// S scenarios of the threat model): real `hallway daemon` processes on
// hosts made of network namespaces, partitions, kill -9, floods, forgeries,
// replays, hostile files and packet captures, each ending by reading every
// peer's database.
//
// `go test` runs a short form of each; HALLWAY_SOAK=1 (make soak) runs the
// full durations and writes the measured results to docs/RELIABILITY.md.
// The scenarios need root and skip with the reason otherwise.
package chaos
