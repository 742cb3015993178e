package core

import "fmt"

// formingSyncs says how many room sync requests the office made while it
// formed, per pair of colleagues, and the share answered with nothing: a
// catch-up that finds its colleague holding nothing new still costs both
// a round of reading, proving and answering.
func formingSyncs(nodes []*officeNode) string {
	var asked, empty uint64
	for _, nd := range nodes {
		st := nd.svc.Stats()
		asked += st.RoomSyncs
		empty += st.RoomSyncsEmpty
	}
	pairs := float64(len(nodes)*(len(nodes)-1)) / 2
	return fmt.Sprintf("room syncs meanwhile %d, %.1f per pair of colleagues, %.0f%% of them answered with nothing",
		asked, float64(asked)/max(pairs, 1), 100*float64(empty)/float64(max(asked, 1)))
}
