//go:build !windows

package main

// hideOwnConsole: only Windows opens a console of its own for a program.
func hideOwnConsole() {}
