package fleet

import (
	"encoding/json"
	"os"
	"path/filepath"

	"hallway/archive"
	"hallway/chat"
)

// Room is d's listing of the joined room with this id; false when d does
// not list it.
func (d *Daemon) Room(id string) (chat.Room, bool) {
	d.T.Helper()
	ctx, cancel := apiCtx()
	defer cancel()
	rooms, err := d.Client().Rooms(ctx)
	if err != nil {
		d.T.Fatalf("%s: rooms: %v", d.Name, err)
	}
	for _, r := range rooms {
		if r.ID == id {
			return r, true
		}
	}
	return chat.Room{}, false
}

// ExportProved exports conversation in from d as JSON and as HTML, has
// `hallway verify-export` prove both, and returns the JSON export's body
// and the HTML page.
func (d *Daemon) ExportProved(in string) (archive.Body, []byte) {
	d.T.Helper()
	dir := d.T.TempDir()
	js, page := filepath.Join(dir, "export.json"), filepath.Join(dir, "export.html")
	d.CLI("export", "--out", js, "--in", in)
	d.CLI("export", "--out", page, "--in", in, "--format", "html")
	for _, p := range []string{js, page} {
		if out, err := d.CLIErr("verify-export", p); err != nil {
			d.T.Fatalf("%s: verify-export %s: %v\n%s", d.Name, filepath.Base(p), err, out)
		}
	}
	raw, err := os.ReadFile(js)
	if err != nil {
		d.T.Fatal(err)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		d.T.Fatal(err)
	}
	var doc archive.Document
	var body archive.Body
	if err := json.Unmarshal(raw, &doc); err != nil {
		d.T.Fatalf("%s: export: %v", d.Name, err)
	}
	if err := json.Unmarshal(doc.Body, &body); err != nil {
		d.T.Fatalf("%s: export body: %v", d.Name, err)
	}
	return body, html
}
