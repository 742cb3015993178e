package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"hallway/archive"
	"hallway/chat"
	"hallway/control"
	"hallway/core"
)

var (
	searchFlags = map[string]flagKind{"from": stringFlag, "in": stringFlag, "since": stringFlag, "until": stringFlag,
		"has-file": boolFlag, "mentions": boolFlag, "limit": stringFlag}
	exportFlags    = map[string]flagKind{"format": stringFlag, "out": stringFlag, "in": stringFlag, "since": stringFlag, "until": stringFlag}
	retentionFlags = map[string]flagKind{"reason": stringFlag}
	forceFlags     = map[string]flagKind{"force": boolFlag}
)

const dateHelp = "DATE is 2026-03-01, 2026-03-01T14:30, an RFC 3339 time, or an age like 7d or 12h; --until DAY includes that whole day"

func runSearch(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) == 0 && !p.bools["mentions"] {
		return fmt.Errorf("usage: hallway %s", verbUsage("search"))
	}
	q := chat.SearchQuery{Text: strings.Join(p.pos, " "), From: p.strs["from"], In: p.strs["in"], HasFile: p.bools["has-file"],
		Mentions: p.bools["mentions"]}
	var err error
	if q.Since, q.Until, err = period(p); err != nil {
		return err
	}
	if q.Limit, err = intFlag(p, "limit", 0); err != nil {
		return err
	}
	hits, err := control.NewClient(dir).Search(ctx, q)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		if hits == nil {
			hits = []chat.SearchHit{}
		}
		return printJSON(env.Stdout, hits)
	}
	printHits(env.Stdout, hits)
	return nil
}

func printHits(w io.Writer, hits []chat.SearchHit) {
	if len(hits) == 0 {
		fmt.Fprintln(w, "No messages found.")
		return
	}
	for _, h := range hits {
		where := h.Conversation
		if !h.Room {
			where = "with " + orUnknown(h.ConversationName, h.ConversationID)
		}
		fmt.Fprintf(w, "%s  %s  %s\n    %s\n", h.Time.Local().Format("2006-01-02 15:04"), safeLine(where),
			authorLabel(h.FromName, h.From, h.FromVerified, h.FromWarning), safeText(h.Snippet, "    "))
	}
}

func orUnknown(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// period reads --since and --until.
func period(p parsed) (since, until time.Time, err error) {
	if s, ok := p.strs["since"]; ok {
		if since, err = parseDate(s, false, time.Now()); err != nil {
			return since, until, err
		}
	}
	if s, ok := p.strs["until"]; ok {
		if until, err = parseDate(s, true, time.Now()); err != nil {
			return since, until, err
		}
	}
	return since, until, nil
}

// parseDate reads a date as --since and --until take it (see dateHelp).
// A bare day given as an end means the end of that day.
func parseDate(s string, end bool, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if n := len(s); n > 1 && strings.ContainsRune("dhm", rune(s[n-1])) {
		if v, err := strconv.Atoi(s[:n-1]); err == nil && v >= 0 {
			unit := map[byte]time.Duration{'d': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}[s[n-1]]
			return now.Add(-time.Duration(v) * unit), nil
		}
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date: %s", s, dateHelp)
}

func runExport(ctx context.Context, env *Env, dir string, p parsed) error {
	out := p.strs["out"]
	if out == "" || len(p.pos) > 0 {
		return fmt.Errorf("usage: hallway %s", verbUsage("export"))
	}
	opt := core.ExportOptions{Format: p.strs["format"], In: p.strs["in"]}
	if opt.Format == "" {
		opt.Format = core.ExportJSON
		if strings.HasSuffix(strings.ToLower(out), ".html") || strings.HasSuffix(strings.ToLower(out), ".htm") {
			opt.Format = core.ExportHTML
		}
	}
	var err error
	if opt.Since, opt.Until, err = period(p); err != nil {
		return err
	}
	var sum core.ExportSummary
	err = writeFileAtomic(out, func(w io.Writer) error {
		var err error
		sum, err = control.NewClient(dir).Export(ctx, opt, w)
		return err
	})
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, struct {
			core.ExportSummary
			File string `json:"file"`
		}{sum, out})
	}
	fmt.Fprintf(env.Stdout, "Exported %d messages (%d signed, %d unsigned) to %s\n", sum.Messages, sum.Signed, sum.Unsigned, out)
	fmt.Fprintln(env.Stdout, "Anyone can check it with: hallway verify-export "+out)
	return nil
}

// writeFileAtomic writes a private file (0600: exports and backups hold
// history and keys) under a temporary name, renaming it into place only
// when fill succeeded.
func writeFileAtomic(path string, fill func(io.Writer) error) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.partial")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return os.Rename(f.Name(), abs)
}

// runVerifyExport checks an export file offline: no node is needed.
func runVerifyExport(_ context.Context, env *Env, _ string, p parsed) error {
	if len(p.pos) != 1 {
		return fmt.Errorf("usage: hallway %s", verbUsage("verify-export"))
	}
	path := p.pos[0]
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	if fi.Size() > archive.MaxExportBytes {
		return fmt.Errorf("%s is larger than an export this command checks (%d bytes)", path, archive.MaxExportBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	r := core.VerifyExport(data)
	if p.bools["json"] {
		if err := printJSON(env.Stdout, struct {
			OK bool `json:"ok"`
			*archive.Report
		}{r.OK(), r}); err != nil {
			return err
		}
	} else {
		printReport(env.Stdout, path, r)
	}
	if r.OK() {
		return nil
	}
	if ids := r.TamperedIDs(); len(ids) > 0 {
		return fmt.Errorf("%s was altered: %d message(s) fail verification: %s", path, len(ids), strings.Join(ids, ", "))
	}
	return fmt.Errorf("%s does not verify: %s", path, strings.Join(r.Problems, "; "))
}

func printReport(w io.Writer, path string, r *archive.Report) {
	fmt.Fprintf(w, "%s (%s export)\n", path, r.Format)
	fmt.Fprintf(w, "Exported by %s, fingerprint %s, peer %s, at %s\n", safeLine(orUnknown(r.Signer.Name, "?")), safeLine(r.Signer.Fingerprint), safeLine(r.Signer.PeerID), safeLine(r.ExportedAt))
	fmt.Fprintf(w, "Digest: %s   Exporter's signature: %s", okWord(r.DigestOK), okWord(r.SignatureOK))
	if r.PageOK != nil {
		fmt.Fprintf(w, "   Page matches its data: %s", okWord(*r.PageOK))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Messages: %d verified, %d unsigned (stored before messages were signed), %d tampered\n", r.Verified, r.Unsigned, r.Tampered)
	for _, m := range r.Messages {
		if m.Status == archive.StatusTampered {
			fmt.Fprintf(w, "  TAMPERED %s: %s\n", safeLine(orUnknown(m.ID, fmt.Sprintf("#%d", m.Index))), safeLine(m.Reason))
		}
	}
	for _, f := range r.Forks {
		if f.Proven {
			fmt.Fprintf(w, "FORK proven: %s signed two different messages as its number %d in room %s\n", safeLine(f.Author), f.Seq, safeLine(f.Room))
		}
	}
	printLogs(w, r.Logs)
	for _, pr := range r.Problems {
		fmt.Fprintln(w, "  PROBLEM "+safeLine(pr))
	}
	if r.OK() {
		fmt.Fprintln(w, "OK: the export is exactly as its signer wrote it.")
	}
}

// printLogs shows the audit of each room's membership log: how many
// operations, which ones every member refused and why, and the admins.
func printLogs(w io.Writer, logs []archive.LogResult) {
	for _, l := range logs {
		name := "#" + l.Name
		if l.Workspace {
			name = "the workspace"
		}
		if !l.Replayed {
			fmt.Fprintf(w, "Log of %s: %d operations, not replayed (the export does not reach back to its creation)\n",
				safeLine(name), l.Operations)
			continue
		}
		var admins []string
		for _, p := range slices.Sorted(maps.Keys(l.Members)) {
			if role := l.Members[p]; role == "owner" || role == "admin" {
				admins = append(admins, safeLine(p)+" ("+role+")")
			}
		}
		fmt.Fprintf(w, "Log of %s: %d operations replayed, %d refused; %d members; admins: %s", safeLine(name),
			l.Operations, len(l.Refused), len(l.Members), strings.Join(admins, ", "))
		if l.Workspace {
			fmt.Fprintf(w, "; policy version %d", l.Policy)
		}
		fmt.Fprintln(w)
		for _, op := range l.Refused {
			fmt.Fprintf(w, "  REFUSED by every member: %s by %s: %s\n", safeLine(op.Action), safeLine(op.Author), safeLine(op.Reason))
		}
		if len(l.Removed) > 0 {
			fmt.Fprintf(w, "  removed, revoked or left: %s\n", safeLine(strings.Join(l.Removed, ", ")))
		}
	}
}

func okWord(ok bool) string {
	if ok {
		return "ok"
	}
	return "FAILED"
}

// retentionVerbs are the sub-commands of `hallway retention`.
var retentionVerbs = subVerbs{list: []subVerb{
	{"show", "hallway retention [show]                        policies, legal holds in force, last sweep", exactly(0), retentionShow},
	{"set", "hallway retention set [CONV] DAYS|forever|default  keep messages DAYS days (workspace, or one conversation;\n" +
		"                                                          default: the conversation follows the workspace again)", between(1, 2), retentionSet},
	{"hold", "hallway retention hold [CONV] [--reason TEXT]      suspend deletion (everywhere, or in one conversation)", between(0, 1), retentionHold},
	{"release", "hallway retention release HOLD-ID                  end a legal hold", exactly(1), retentionRelease},
	{"apply", "hallway retention apply                            delete what is due now (Hallway also does it hourly)", exactly(0), retentionApply},
}, more: "CONV is a colleague, #room or a room id. Without a policy messages are kept forever."}

func runRetention(ctx context.Context, env *Env, dir string, p parsed) error {
	sub, args := "show", []string(nil)
	if len(p.pos) > 0 {
		sub, args = p.pos[0], p.pos[1:]
	}
	return retentionVerbs.dispatch(ctx, env, dir, sub, args, p)
}

func retentionShow(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	st, err := control.NewClient(dir).Retention(ctx)
	return printRetentionStatus(env, st, err, p)
}

func retentionSet(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	in, days := "", args[len(args)-1]
	if len(args) == 2 {
		in = args[0]
	}
	n, err := retentionDays(days, in)
	if err != nil {
		return err
	}
	st, err := control.NewClient(dir).SetRetention(ctx, in, n)
	return printRetentionStatus(env, st, err, p)
}

func printRetentionStatus(env *Env, st core.RetentionStatus, err error, p parsed) error {
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, st)
	}
	printRetention(env.Stdout, st)
	return nil
}

func retentionHold(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	h, err := control.NewClient(dir).PlaceHold(ctx, strings.Join(args, ""), p.strs["reason"])
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, h)
	}
	fmt.Fprintf(env.Stdout, "Legal hold %s placed on %s: nothing there is deleted until it is released.\n", h.ID, scopeLabel(h.Scope, h.Conversation, h.Name))
	return nil
}

func retentionRelease(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	h, err := control.NewClient(dir).ReleaseHold(ctx, args[0])
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, h)
	}
	fmt.Fprintf(env.Stdout, "Legal hold %s on %s released; retention applies there again.\n", h.ID, scopeLabel(h.Scope, h.Conversation, h.Name))
	return nil
}

func retentionApply(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	r, err := control.NewClient(dir).ApplyRetention(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, r)
	}
	fmt.Fprintf(env.Stdout, "Deleted %d messages and %d file records.\n", r.Messages, r.Transfers)
	if len(r.Held) > 0 {
		fmt.Fprintf(env.Stdout, "Kept by a legal hold: %d conversation(s) with messages due.\n", len(r.Held))
	}
	return nil
}

func retentionDays(s, in string) (int, error) {
	switch strings.ToLower(s) {
	case "forever", "0":
		return 0, nil
	case "default", "inherit":
		if in == "" {
			return 0, nil // the workspace's default is to keep forever
		}
		return core.RetentionInherit, nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.ToLower(s), "d"))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("keep messages DAYS days (a whole number), forever, or default; not %q", s)
	}
	return n, nil
}

func scopeLabel(scope, conv, name string) string {
	switch {
	case scope == "workspace":
		return "the whole workspace"
	case strings.HasPrefix(conv, "#"):
		return safeLine(conv)
	case name != "":
		return "the conversation with " + safeLine(name)
	}
	return safeLine(scope)
}

func daysLabel(d int) string {
	if d == 0 {
		return "forever"
	}
	return fmt.Sprintf("%d days", d)
}

func printRetention(w io.Writer, st core.RetentionStatus) {
	fmt.Fprintf(w, "Workspace: keep messages %s\n", daysLabel(st.WorkspaceDays))
	for _, p := range st.Policies {
		if p.Scope != "workspace" {
			fmt.Fprintf(w, "  %s: %s\n", scopeLabel(p.Scope, p.Conversation, p.Name), daysLabel(p.Days))
		}
	}
	if len(st.Holds) == 0 {
		fmt.Fprintln(w, "Legal holds: none")
	} else {
		fmt.Fprintln(w, "Legal holds (deletion suspended):")
		for _, h := range st.Holds {
			reason := ""
			if h.Reason != "" {
				reason = " — " + h.Reason
			}
			fmt.Fprintf(w, "  %s on %s since %s%s\n", h.ID, scopeLabel(h.Scope, h.Conversation, h.Name), h.CreatedAt.Local().Format("2006-01-02 15:04"), reason)
		}
	}
	if st.LastSweep != nil {
		fmt.Fprintf(w, "Last applied %s: %d messages and %d file records deleted (every %s)\n",
			st.LastSweep.At.Local().Format("2006-01-02 15:04"), st.LastSweep.Messages, st.LastSweep.Transfers, st.SweepEvery)
	}
}

func runBackup(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) != 1 {
		return fmt.Errorf("usage: hallway %s", verbUsage("backup"))
	}
	path := p.pos[0]
	if _, err := os.Stat(path); err == nil && !p.bools["force"] {
		return fmt.Errorf("%s exists; choose another name or add --force to replace it", path)
	}
	var info core.BackupInfo
	err := writeFileAtomic(path, func(w io.Writer) error {
		var err error
		info, err = control.NewClient(dir).Backup(ctx, w)
		return err
	})
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, info)
	}
	fmt.Fprintf(env.Stdout, "Backed up %s (%d messages, %d rooms) to %s\n", info.Name, info.Messages, info.Rooms, path)
	fmt.Fprintln(env.Stdout, "It holds your identity and room keys: keep it as safe as this computer.")
	return nil
}

func runRestore(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) != 1 {
		return fmt.Errorf("usage: hallway %s", verbUsage("restore"))
	}
	f, err := os.Open(p.pos[0])
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", p.pos[0], err)
	}
	defer f.Close()
	res, err := core.Restore(ctx, f, dir, core.RestoreOptions{Force: p.bools["force"]})
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, res)
	}
	fmt.Fprintf(env.Stdout, "Restored %s (%d messages, %d rooms, backed up %s) into %s\n", res.Backup.Name, res.Backup.Messages,
		res.Backup.Rooms, res.Backup.CreatedAt.Local().Format("2006-01-02 15:04"), dir)
	if res.Replaced != "" {
		fmt.Fprintf(env.Stdout, "What it replaced is kept in %s\n", res.Replaced)
	}
	fmt.Fprintln(env.Stdout, "Start Hallway to use it; only one computer may run this identity at a time.")
	return nil
}
