// Package records keeps a node's history as a record: it searches it,
// exports it with proof of who wrote what, backs it up and restores it,
// and deletes what the retention policies say is due unless a legal hold
// forbids it (the sweeper applies them while the node runs).
//
// It does not write history, resolve colleagues or rooms, or own the data
// folder: messages arrive through other parts of the node, names and room
// lookups come in through its Deps, and a restore takes the folder's lock
// the way its caller says.
package records
