package chaos

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallway/files"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
)

// S10: a hostile peer offers files whose names try to escape the
// downloads folder or to pass for something else, and a folder whose
// inner paths climb out; a symlink planted in the downloads folder points
// outside. Whatever the victim accepts lands inside the downloads folder.
func TestS10HostileFileNames(t *testing.T) {
	r := scenario(t, "S10", "file names ../../x, /etc/passwd, C:\\x, CON, RTL-override tricks, 10,000 chars, a planted symlink",
		"0 files outside the downloads folder")
	l := lab(t, 2)
	root := t.TempDir()
	dl := filepath.Join(root, "downloads")
	outside := filepath.Join(root, "outside")
	os.MkdirAll(dl, 0o700)
	os.MkdirAll(outside, 0o700)
	target := filepath.Join(outside, "target.txt")
	os.WriteFile(target, []byte("must stay as it is"), 0o600)
	// Planted: names a hostile file would take, pointing outside.
	os.Symlink(target, filepath.Join(dl, "passwd"))
	os.Symlink(outside, filepath.Join(dl, "evil"))
	passwdBefore := fleet.FileHash(t, "/etc/passwd")

	bob := fleet.New(t, l.Host(1), "Bob", "--downloads", dl)
	bob.Start()
	adv := hostile(t, l.Host(2), nil)
	bobID := infiltrate(t, adv, []*fleet.Daemon{bob})[0]

	data := []byte("hostile payload\n")
	file := func(name string) *adversary.Content {
		return adversary.NewContent(name, false, adversary.ContentEntry{Path: name, Data: data})
	}
	// Each hostile name goes twice: in the manifest itself (which must be
	// refused outright), and only in the offer, with the manifest carrying
	// the cleaned name (which must land under that name, inside).
	names := map[string]string{
		"../../x": "../../x", "/etc/passwd": "/etc/passwd", `C:\x`: `C:\x`, "CON": "CON",
		"RTL override": "invoice\u202Efdp.exe", "10,000 characters": strings.Repeat("a", 10000),
	}
	offerNames := map[string]string{}
	contents := map[string]*adversary.Content{}
	for what, name := range names {
		contents[what+" in the manifest"] = file(name)
		contents[what+" in the offer"] = file(files.SafeName(name))
		offerNames[what+" in the offer"] = name
	}
	for what, c := range map[string]*adversary.Content{
		"passwd (planted)":    file("passwd"),
		"evil/x (planted)":    file("evil/x"),
		"folder climbing out": adversary.NewContent("proj", true, adversary.ContentEntry{Path: "../escape.txt", Data: data}, adversary.ContentEntry{Path: "a/../../b", Data: data}),
		"folder ..":           adversary.NewContent("..", true, adversary.ContentEntry{Path: "x", Data: data}),
		"folder absolute":     adversary.NewContent("proj", true, adversary.ContentEntry{Path: "/tmp/abs", Data: data}),
	} {
		contents[what] = c
	}
	var all []*adversary.Content
	for _, c := range contents {
		all = append(all, c)
	}
	adv.ServeContent(all...)

	ctx, cancel := context.WithTimeout(context.Background(), deadline(3*time.Minute, 10*time.Minute))
	defer cancel()
	var outcomes []string
	i := 0
	for what, c := range contents {
		i++
		id := fmt.Sprintf("hostile-name-%d", i)
		o := c.Offer(id)
		if name, ok := offerNames[what]; ok {
			o.Name = name
		}
		if err := adv.OfferFile(ctx, bobID, o); err != nil {
			outcomes = append(outcomes, what+": offer refused")
			continue
		}
		bob.WaitFor("the offer", 20*time.Second, func() bool { _, ok := bob.Transfer(id); return ok })
		out, err := bob.CLIErr("file", "accept", id, "--wait", "--json")
		tr, _ := bob.Transfer(id)
		switch {
		case err == nil && tr.State == "done":
			rel, rerr := filepath.Rel(dl, tr.FinalPath)
			if rerr != nil || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
				t.Fatalf("%s landed at %s, outside %s", what, tr.FinalPath, dl)
			}
			outcomes = append(outcomes, fmt.Sprintf("%s: stored as %q", what, rel))
		default:
			reason := tr.Error
			if reason == "" && err != nil {
				reason = err.Error()
			}
			_ = out
			outcomes = append(outcomes, fmt.Sprintf("%s: refused (%s)", what, firstLine(reason)))
		}
	}

	// Nothing outside the downloads folder changed.
	if b, err := os.ReadFile(target); err != nil || string(b) != "must stay as it is" {
		t.Fatalf("the file behind the planted symlink changed: %q, %v", b, err)
	}
	if fleet.FileHash(t, "/etc/passwd") != passwdBefore {
		t.Fatal("/etc/passwd changed")
	}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return nil
		}
		if p == dl || strings.HasPrefix(p, dl+string(filepath.Separator)) || p == outside || p == target {
			if !d.IsDir() && d.Type().IsRegular() {
				if info, _ := d.Info(); info.Mode().Perm()&0o111 != 0 {
					t.Errorf("%s is executable", p)
				}
			}
			return nil
		}
		t.Errorf("%s was written outside the downloads folder", p)
		return nil
	})
	for _, p := range []string{filepath.Join(root, "x"), filepath.Join(filepath.Dir(root), "x"), filepath.Join(outside, "x"), "/x", "/tmp/abs"} {
		if _, err := os.Lstat(p); err == nil {
			t.Fatalf("%s exists", p)
		}
	}
	checkStores(t, []*fleet.Daemon{bob})
	r.measure(t, "%d hostile offers: %s; 0 files outside the downloads folder, nothing executable, the planted symlinks' targets untouched",
		len(contents), strings.Join(sortedStrings(outcomes), "; "))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
