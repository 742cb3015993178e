// Package core is the Hallway messenger service as the window, the daemon,
// the CLI and the tests drive it: a thin façade over the feature packages
// (dm, rooms, transfer, people, records), the event bus every change is
// published on, and the p2p handler that hands each incoming stream to its
// feature.
//
// core builds the features and wires them to the p2p host, discovery,
// crypto and storage, and to each other through the small interfaces each
// feature declares. It keeps the rules between them: what is on screen is
// already on disk, identity comes from keys never from names, and nothing
// a subscriber misses goes unannounced. It does not implement a feature
// itself, does not draw anything and does not parse command lines.
package core
