// Command hallway is a serverless office messenger for the local network.
//
// Built with the tag headless (`go build -tags headless`, `make daemon`) it
// has no window: it runs the daemon and every verb, links no Fyne, and
// builds for every platform without cgo.
package main

import (
	"os"
	"runtime"

	"hallway/cli"
)

func main() {
	// No heap profile is ever taken (HALLWAY_CPUPROFILE profiles the CPU
	// only), so the runtime need not sample allocations for one: sampling
	// costs a 1.4 MB table of call stacks and a record per stack sampled.
	runtime.MemProfileRate = 0
	os.Exit(cli.Main(os.Args[1:], &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, RunWindow: runWindow}))
}
