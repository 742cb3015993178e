package chaos

import (
	"strings"
	"testing"
	"time"
)

// A soak run in parts rewrites the rows of what ran and keeps the others,
// each with the form and day of its figures.
func TestReportKeepsRowsThatDidNotRun(t *testing.T) {
	old := "# Reliability\n\n- Date: 2026-11-21 22:29 UTC\n- Form: short (make test forms)\n\n" +
		"| id | scenario | pass criterion | measured | result |\n|---|---|---|---|---|\n" +
		"| R1 | partition | converged | 1.3 s | pass |\n" +
		"| S2 | forged | refused | 0 stored \\| 0 shown | pass |\n" +
		"| Codes | codes | refused | 6 refusals | pass |\n"
	run := map[string]*result{"R1": {id: "R1", scenario: "partition", criterion: "converged", measured: []string{"4.2 s"}}}
	day := time.Date(2026, 12, 3, 23, 0, 0, 0, time.UTC)
	doc := renderReport(old, run, true, day)
	for _, want := range []string{
		"| R1 | partition | converged | 4.2 s | pass (full, 2026-12-03) |\n",
		"| S2 | forged | refused | 0 stored \\| 0 shown | pass (short, 2026-11-21) |\n",
		"| Codes | codes | refused | 6 refusals | pass (short, 2026-11-21) |\n",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("report lacks %q:\n%s", want, doc)
		}
	}
	if strings.Index(doc, "| R1 |") > strings.Index(doc, "| S2 |") || strings.Index(doc, "| S2 |") > strings.Index(doc, "| Codes |") {
		t.Errorf("rows out of order:\n%s", doc)
	}
	// Rendered again with nothing new, the report stays as it is.
	if again := renderReport(doc, nil, false, day); again != doc {
		t.Errorf("a second rendering changed the report:\n%s", again)
	}
}
