// Package wine runs Hallway's Windows build on Linux under Wine: the
// cross-compile of hallway.exe with MinGW-w64, the unit tests of every
// package that needs no display compiled for Windows, and a Linux daemon
// and a Windows daemon talking on loopback. It is test infrastructure:
// tests skip with a reason where Wine or MinGW-w64 is missing.
package wine
