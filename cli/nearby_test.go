package cli

import (
	"bytes"
	"strings"
	"testing"

	"hallway/chat"
)

func TestPrintNearby(t *testing.T) {
	for _, tc := range []struct {
		name string
		ws   []chat.NearbyWorkspace
		open bool
		want []string
		not  []string
	}{
		{name: "nothing seen", open: true,
			want: []string{"No other workspace", "visible to every network this computer joins", "workspace join -"}},
		{name: "private workspaces from the open LAN", open: true,
			ws: []chat.NearbyWorkspace{{Tag: "3f9a", Colleagues: 4}, {Tag: "77ab", Colleagues: 1}, {Tag: "open", Colleagues: 2, Open: true}},
			want: []string{"2 private workspaces on this network (5 colleagues):", "private workspace 3f9a  4 colleagues",
				"private workspace 77ab  1 colleague\n", "the open LAN workspace  2 colleagues", "workspace create"}},
		{name: "from a private workspace", open: false,
			ws:   []chat.NearbyWorkspace{{Tag: "open", Colleagues: 3, Open: true}},
			want: []string{"Other workspaces on this network:", "the open LAN workspace  3 colleagues"},
			not:  []string{"visible to every network", "workspace join"}},
		{name: "a hostile tag is shown inert", open: true,
			ws:  []chat.NearbyWorkspace{{Tag: "ev\u202eil\x1b[2J", Colleagues: 1}},
			not: []string{"\u202e", "\x1b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			printNearby(&b, tc.ws, tc.open)
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("no %q in:\n%s", w, b.String())
				}
			}
			for _, w := range tc.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("%q in:\n%s", w, b.String())
				}
			}
		})
	}
}
