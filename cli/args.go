package cli

import (
	"fmt"
	"strings"
)

// flagKind says whether a flag takes a value and whether it may repeat.
type flagKind int

const (
	boolFlag flagKind = iota
	stringFlag
	listFlag
)

// parsed holds a verb's arguments: positionals in order, flags by name.
type parsed struct {
	pos   []string
	bools map[string]bool
	strs  map[string]string
	lists map[string][]string
}

// globalFlags are accepted by every verb.
var globalFlags = map[string]flagKind{"data": stringFlag, "json": boolFlag, "help": boolFlag, "h": boolFlag}

// parseArgs accepts flags before, between or after positionals ("hallway
// history Bob --json"), as --flag value, --flag=value or -flag; "--" ends
// flags so a message may start with a dash.
func parseArgs(args []string, spec map[string]flagKind) (parsed, error) {
	p := parsed{bools: map[string]bool{}, strs: map[string]string{}, lists: map[string][]string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			p.pos = append(p.pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			p.pos = append(p.pos, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		val, hasVal := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = k, v, true
		}
		kind, ok := spec[name]
		if !ok {
			kind, ok = globalFlags[name]
		}
		if !ok {
			return p, fmt.Errorf("unknown flag %s (see --help)", a)
		}
		if kind == boolFlag {
			if hasVal {
				return p, fmt.Errorf("flag --%s takes no value", name)
			}
			p.bools[name] = true
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return p, fmt.Errorf("flag --%s needs a value", name)
			}
			i++
			val = args[i]
		}
		if kind == listFlag {
			p.lists[name] = append(p.lists[name], val)
		} else {
			p.strs[name] = val
		}
	}
	return p, nil
}
