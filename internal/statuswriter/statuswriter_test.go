package statuswriter

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestStatus(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(w http.ResponseWriter)
		want  int
	}{
		{"nothing written", func(http.ResponseWriter) {}, http.StatusOK},
		{"body only", func(w http.ResponseWriter) { _, _ = w.Write([]byte("x")) }, http.StatusOK},
		{"status then body", func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated); _, _ = w.Write([]byte("x")) }, http.StatusCreated},
		{"first status wins", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound); w.WriteHeader(http.StatusOK) }, http.StatusNotFound},
	} {
		rec := httptest.NewRecorder()
		w := New(rec)
		c.write(w)
		if got := w.Status(); got != c.want || rec.Code != c.want {
			t.Errorf("%s: Status() = %d, recorder %d; want %d", c.name, got, rec.Code, c.want)
		}
		if w.Unwrap() != rec {
			t.Errorf("%s: Unwrap does not return the wrapped writer", c.name)
		}
	}
}
