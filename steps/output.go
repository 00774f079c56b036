package steps

import (
	"bytes"
	"io"
)

// ansiStripper removes ANSI colour sequences (ESC [ … letter) from what it
// writes. godog's own no-colour mode writes one rune per system call, which
// made a cucumber.json of a few megabytes take most of a minute; so godog
// writes colours and the console output is cleaned here instead.
type ansiStripper struct {
	out     io.Writer
	pending []byte // an escape sequence cut by the end of a write
}

// Write strips colour sequences from p and writes the rest to the
// underlying writer. It reports len(p) when the underlying write succeeds.
func (s *ansiStripper) Write(p []byte) (int, error) {
	data := append(s.pending, p...)
	s.pending = nil
	var clean bytes.Buffer
	clean.Grow(len(data))
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c != 0x1b {
			clean.WriteByte(c)
			continue
		}
		j := i + 1
		if j == len(data) {
			s.pending = append([]byte(nil), data[i:]...)
			break
		}
		if data[j] != '[' {
			continue // a lone ESC: drop it
		}
		j++
		for j < len(data) && (data[j] < 0x40 || data[j] > 0x7e) {
			j++
		}
		if j == len(data) {
			s.pending = append([]byte(nil), data[i:]...)
			break
		}
		i = j // skip through the final byte
	}
	if clean.Len() > 0 {
		if _, err := s.out.Write(clean.Bytes()); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}
