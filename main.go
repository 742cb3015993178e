// Command hallway is a serverless office messenger for the local network.
package main

import (
	"os"

	"hallway/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}
