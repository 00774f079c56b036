package steps

import (
	"bytes"
	"testing"
)

func TestANSIStripper(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"plain", []string{"hello\n"}, "hello\n"},
		{"colour", []string{"\x1b[32mpassed\x1b[0m ok"}, "passed ok"},
		{"split sequence", []string{"a\x1b[3", "2mb\x1b", "[0mc"}, "abc"},
		{"bold and colour", []string{"\x1b[1;31mF\x1b[0m"}, "F"},
		{"unicode kept", []string{"é — ✓"}, "é — ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			s := &ansiStripper{out: &buf}
			for _, c := range tt.chunks {
				n, err := s.Write([]byte(c))
				if err != nil || n != len(c) {
					t.Fatalf("Write(%q) = %d, %v", c, n, err)
				}
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
