package store

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"
)

// TestSQLiteAuditTrimmedInBatches appends a location's audit in batches of
// 100 until it holds far more than it keeps: the table stays within
// AuditKeepPerLocation+auditTrimEvery rows of that location, Audit returns
// exactly the newest AuditKeepPerLocation, and another location's records
// are untouched.
func TestSQLiteAuditTrimmedInBatches(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ss, err := newSQLite(ctx, filepath.Join(t.TempDir(), "audit.db"), sqliteWriteParams, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if err := ss.AppendAudit(ctx, []AuditRecord{{LocationID: "b", Time: at, Method: "GET", Path: "/b", Status: 200}}); err != nil {
		t.Fatal(err)
	}
	total := AuditKeepPerLocation + 3*auditTrimEvery + 50
	largest := 0
	for from := 0; from < total; from += 100 {
		batch := make([]AuditRecord, 0, 100)
		for i := from; i < min(from+100, total); i++ {
			batch = append(batch, AuditRecord{LocationID: "a", Time: at.Add(time.Duration(i) * time.Millisecond),
				Method: "GET", Path: fmt.Sprintf("/r/%d", i), Status: 200})
		}
		if err := ss.AppendAudit(ctx, batch); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := ss.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit WHERE location_id = 'a'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		largest = max(largest, n)
	}
	if largest > AuditKeepPerLocation+auditTrimEvery {
		t.Errorf("location a held %d audit rows at most, want <= %d", largest, AuditKeepPerLocation+auditTrimEvery)
	}
	got, err := ss.Audit(ctx, "a", AuditKeepPerLocation+500)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != AuditKeepPerLocation {
		t.Fatalf("Audit returned %d records, want the newest %d", len(got), AuditKeepPerLocation)
	}
	if first, last := got[0].Path, got[len(got)-1].Path; first != fmt.Sprintf("/r/%d", total-AuditKeepPerLocation) || last != fmt.Sprintf("/r/%d", total-1) {
		t.Errorf("Audit returned %s … %s, want the newest %d records", first, last, AuditKeepPerLocation)
	}
	if b, err := ss.Audit(ctx, "b", 10); err != nil || len(b) != 1 {
		t.Errorf("location b's audit after a's trims: %+v, %v", b, err)
	}
}
