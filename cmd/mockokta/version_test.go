package main

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

func TestVersionCommand(t *testing.T) {
	runIt := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr, env{getenv: func(string) string { return "" }})
		return code, stdout.String()
	}
	code, out := runIt("version")
	if code != exitOK || !strings.HasPrefix(out, "mockokta ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("version: exit %d, output %q", code, out)
	}
	code, out = runIt("--json", "version")
	var info map[string]string
	if err := json.Unmarshal([]byte(out), &info); code != exitOK || err != nil {
		t.Fatalf("--json version: exit %d, %v, output %q", code, err, out)
	}
	for _, k := range []string{"version", "commit", "date", "goVersion", "platform"} {
		if info[k] == "" {
			t.Errorf("--json version lacks %q: %s", k, out)
		}
	}
	if code, _ := runIt("version", "extra"); code != exitUsage {
		t.Errorf("version extra: exit %d, want %d", code, exitUsage)
	}
}
