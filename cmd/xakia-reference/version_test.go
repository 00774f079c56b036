package main

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, envOf(nil), "version")
	if code != exitOK || !strings.HasPrefix(out, "xakia-reference ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("version: exit %d, output %q", code, out)
	}
	code, out, _ = runCmd(t, envOf(nil), "version", "--json")
	var info map[string]string
	if err := json.Unmarshal([]byte(out), &info); code != exitOK || err != nil {
		t.Fatalf("version --json: exit %d, %v, output %q", code, err, out)
	}
	for _, k := range []string{"version", "commit", "date", "goVersion", "platform"} {
		if info[k] == "" {
			t.Errorf("version --json lacks %q: %s", k, out)
		}
	}
	if code, _, errOut := runCmd(t, envOf(nil), "version", "extra"); code != exitUsage || !strings.Contains(errOut, "unexpected argument") {
		t.Errorf("version extra: exit %d, stderr %q", code, errOut)
	}
}
