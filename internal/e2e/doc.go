// Package e2e holds Hallway's end-to-end tests and benchmarks: real
// `hallway daemon` processes on hosts made of network namespaces
// (internal/netlab), with real mDNS, partitions and kill -9, observed
// through the CLI and the control API exactly as users and bots see them.
//
// They need root; elsewhere they skip with the reason.
package e2e
