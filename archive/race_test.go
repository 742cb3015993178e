//go:build race

package archive

// raceEnabled: the race detector makes signature checks slow, so the
// exhaustive tests sample instead.
const raceEnabled = true
