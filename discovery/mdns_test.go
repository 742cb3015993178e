package discovery

import (
	"strings"
	"testing"
	"time"
)

func TestNewMDNSValidates(t *testing.T) {
	self := newPeerID(t)
	good := MDNSConfig{Self: self, Port: 4001, WorkspaceTag: "office"}
	tests := []struct {
		name    string
		edit    func(*MDNSConfig)
		nilSink bool
		wantErr bool
	}{
		{name: "defaults", edit: func(*MDNSConfig) {}},
		{name: "own service and domain", edit: func(c *MDNSConfig) { c.Service, c.Domain = "_hallway-dev._tcp", "local" }},
		{name: "nil sink", edit: func(*MDNSConfig) {}, nilSink: true, wantErr: true},
		{name: "no self", edit: func(c *MDNSConfig) { c.Self = "" }, wantErr: true},
		{name: "garbage self", edit: func(c *MDNSConfig) { c.Self = "not a multihash" }, wantErr: true},
		{name: "no port", edit: func(c *MDNSConfig) { c.Port = 0 }, wantErr: true},
		{name: "port too big", edit: func(c *MDNSConfig) { c.Port = 65536 }, wantErr: true},
		{name: "no tag", edit: func(c *MDNSConfig) { c.WorkspaceTag = "" }, wantErr: true},
		{name: "tag too long", edit: func(c *MDNSConfig) { c.WorkspaceTag = strings.Repeat("t", 300) }, wantErr: true},
		{name: "service with subtype comma", edit: func(c *MDNSConfig) { c.Service = "_hallway._tcp,_x" }, wantErr: true},
		{name: "service without protocol", edit: func(c *MDNSConfig) { c.Service = "_hallway" }, wantErr: true},
		{name: "round gap too short", edit: func(c *MDNSConfig) { c.MaxRoundGap = 10 * time.Millisecond }, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.edit(&cfg)
			var sink Sink = newSink()
			if tt.nilSink {
				sink = nil
			}
			m, err := NewMDNS(cfg, sink)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NewMDNS error = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && m.OtherWorkspaces() != 0 {
				t.Fatal("a new MDNS already counts other workspaces")
			}
		})
	}
}
