// Command hallway is a serverless office messenger for the local network.
//
// Built with the tag headless (`go build -tags headless`, `make daemon`) it
// has no window: it runs the daemon and every verb, links no Fyne, and
// builds for every platform without cgo.
package main

import (
	"os"

	"hallway/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, RunWindow: runWindow}))
}
