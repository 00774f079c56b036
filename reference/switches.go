package reference

import (
	"fmt"
	"strings"
)

// switchSet is a parsed, immutable set of named switches (faults or
// variants). The zero value enables none.
type switchSet struct {
	on map[string]bool
}

// parseSwitches checks every name against known and returns the set. An
// unknown name is an error naming the kind and listing the valid names.
// Empty names are ignored and a name may repeat.
func parseSwitches(kind string, known, names []string) (switchSet, error) {
	valid := make(map[string]bool, len(known))
	for _, k := range known {
		valid[k] = true
	}
	set := switchSet{on: make(map[string]bool)}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !valid[n] {
			return switchSet{}, fmt.Errorf("unknown %s %q; valid %ss: %s", kind, n, kind, strings.Join(known, ", "))
		}
		set.on[n] = true
	}
	return set, nil
}

// has reports whether the switch named name is enabled.
func (s switchSet) has(name string) bool { return s.on[name] }

// names returns the enabled names in the given order.
func (s switchSet) names(order []string) []string {
	var out []string
	for _, n := range order {
		if s.on[n] {
			out = append(out, n)
		}
	}
	return out
}

// union returns a set holding the switches of s and of o.
func (s switchSet) union(o switchSet) switchSet {
	if len(o.on) == 0 {
		return s
	}
	if len(s.on) == 0 {
		return o
	}
	out := switchSet{on: make(map[string]bool, len(s.on)+len(o.on))}
	for n := range s.on {
		out.on[n] = true
	}
	for n := range o.on {
		out.on[n] = true
	}
	return out
}
