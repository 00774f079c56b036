package org

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
)

// TaskState is the state of a provisioning task.
type TaskState string

// Task states.
const (
	TaskQueued    TaskState = "queued"
	TaskRunning   TaskState = "running"
	TaskSucceeded TaskState = "succeeded"
	TaskFailed    TaskState = "failed"
)

// Task is one provisioning task of the queue (Okta's Tasks page).
type Task struct {
	ID       int64              `json:"id"`
	AppID    string             `json:"appId"`
	PersonID string             `json:"personId"`
	Login    string             `json:"login"`
	Op       mockokta.Operation `json:"operation"`
	State    TaskState          `json:"state"`
	// Attempts is how many times the task ran (more than 1 after 429s or
	// retries).
	Attempts int `json:"attempts"`
	// NotBefore is when a queued task may run (after a 429 pause).
	NotBefore time.Time `json:"notBefore"`
	// Message is the last outcome in Okta's wording ("" while queued for
	// the first time).
	Message string    `json:"message,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Result is the library's outcome of the last run (nil before it ran).
	Result *mockokta.TaskResult `json:"result,omitempty"`
}

// Outcomes of a log entry (Okta's system log outcome.result).
const (
	OutcomeSuccess = "SUCCESS"
	OutcomeFailure = "FAILURE"
	// OutcomeRetry: the task got 429 and was put back in the queue.
	OutcomeRetry = "RETRY"
)

// LogEntry is one line of the provisioning log: a task's outcome in Okta's
// wording (the mock Okta library's messages).
type LogEntry struct {
	Seq       int64              `json:"seq"`
	Time      time.Time          `json:"time"`
	AppID     string             `json:"appId"`
	PersonID  string             `json:"personId,omitempty"`
	Login     string             `json:"login,omitempty"`
	Op        mockokta.Operation `json:"operation"`
	TaskID    int64              `json:"taskId,omitempty"`
	Outcome   string             `json:"outcome"`
	Message   string             `json:"message"`
	Warnings  []string           `json:"warnings,omitempty"`
	Authority mockokta.Authority `json:"authority,omitempty"`
	// Status is the HTTP status that failed the task (0 otherwise).
	Status int    `json:"status,omitempty"`
	SCIMID string `json:"scimId,omitempty"`
}

// signal wakes the worker.
func (o *Org) signal() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// enqueue adds a task inside tx (ErrQueueFull when the queue is full).
func (o *Org) enqueue(ctx context.Context, tx *sql.Tx, appID, personID, login string, op mockokta.Operation) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tasks WHERE state IN (?, ?)`, string(TaskQueued), string(TaskRunning)).Scan(&n); err != nil {
		return err
	}
	if n >= o.opts.QueueSize {
		return fmt.Errorf("%w (%d tasks waiting)", ErrQueueFull, n)
	}
	now := o.stamp()
	_, err := tx.ExecContext(ctx, `INSERT INTO tasks(app_id, person_id, login, op, state, not_before, created, updated) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
		appID, personID, login, string(op), string(TaskQueued), now, now, now)
	return err
}

const taskColumns = `id, app_id, person_id, login, op, state, attempts, not_before, last_wait_ms, message, result, created, updated`

func scanTask(s scanner) (Task, int64, error) {
	var (
		t                          Task
		op, state, nb, res, cr, up string
		lastWait                   int64
	)
	if err := s.Scan(&t.ID, &t.AppID, &t.PersonID, &t.Login, &op, &state, &t.Attempts, &nb, &lastWait, &t.Message, &res, &cr, &up); err != nil {
		return Task{}, 0, err
	}
	t.Op, t.State = mockokta.Operation(op), TaskState(state)
	t.NotBefore, t.Created, t.Updated = parseTime(nb), parseTime(cr), parseTime(up)
	if res != "" {
		var r mockokta.TaskResult
		if json.Unmarshal([]byte(res), &r) == nil {
			t.Result = &r
		}
	}
	return t, lastWait, nil
}

// TaskQuery selects tasks for [Org.Tasks].
type TaskQuery struct {
	AppID    string
	PersonID string
	// State filters by state ("" for every state).
	State TaskState
	// Before is the id of the last task of the previous page (newest first).
	Before int64
	// Limit is the page size (DefaultLimit when 0, at most MaxLimit).
	Limit int
}

// Tasks lists tasks, newest first.
func (o *Org) Tasks(ctx context.Context, q TaskQuery) ([]Task, error) {
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return nil, err
	}
	before := q.Before
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := o.db.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks
		WHERE id < ? AND (? = '' OR app_id = ?) AND (? = '' OR person_id = ?) AND (? = '' OR state = ?)
		ORDER BY id DESC LIMIT ?`, before, q.AppID, q.AppID, q.PersonID, q.PersonID, string(q.State), string(q.State), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		t, _, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Task returns one task.
func (o *Org) Task(ctx context.Context, id int64) (Task, error) {
	t, _, err := scanTask(o.db.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, fmt.Errorf("%w: task %d", ErrNotFound, id)
	}
	return t, err
}

// RetryTask puts a failed task back in the queue (Okta's Retry on the
// Tasks page). Only failed tasks can be retried (ErrLifecycle otherwise).
func (o *Org) RetryTask(ctx context.Context, id int64) (Task, error) {
	o.writeMu.Lock()
	now := o.stamp()
	res, err := o.db.ExecContext(ctx, `UPDATE tasks SET state = ?, not_before = ?, last_wait_ms = 0, updated = ? WHERE id = ? AND state = ?`,
		string(TaskQueued), now, now, id, string(TaskFailed))
	if err == nil {
		if n, _ := res.RowsAffected(); n > 0 {
			_, err = o.db.ExecContext(ctx, `UPDATE assignments SET sync_state = ?, last_updated = ? WHERE (app_id, person_id) = (SELECT app_id, person_id FROM tasks WHERE id = ?) AND assigned = 1`,
				SyncSyncing, now, id)
		}
	}
	o.writeMu.Unlock()
	if err != nil {
		return Task{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t, err := o.Task(ctx, id)
		if err != nil {
			return Task{}, err
		}
		return Task{}, fmt.Errorf("%w: task %d is %s; only a failed task can be retried", ErrLifecycle, id, t.State)
	}
	o.signal()
	return o.Task(ctx, id)
}

// Pending returns the number of queued and running tasks.
func (o *Org) Pending(ctx context.Context) (int, error) {
	var n int
	err := o.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tasks WHERE state IN (?, ?)`, string(TaskQueued), string(TaskRunning)).Scan(&n)
	return n, err
}

// WaitIdle waits until no task is queued or running, or ctx ends. It polls
// every 20 ms.
func (o *Org) WaitIdle(ctx context.Context) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		n, err := o.Pending(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d provisioning tasks still pending: %w", n, ctx.Err())
		case <-t.C:
		}
	}
}

// Log lists the provisioning log, newest first: entries of appID ("" for
// every app) with a sequence number below before (0: from the newest).
func (o *Org) Log(ctx context.Context, appID string, before int64, limit int) ([]LogEntry, error) {
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, err
	}
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := o.db.QueryContext(ctx, `SELECT seq, entry FROM log WHERE seq < ? AND (? = '' OR app_id = ?) ORDER BY seq DESC LIMIT ?`, before, appID, appID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		var seq int64
		var raw string
		if err := rows.Scan(&seq, &raw); err != nil {
			return nil, err
		}
		var e LogEntry
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return nil, err
		}
		e.Seq = seq
		out = append(out, e)
	}
	return out, rows.Err()
}

// LogQuery selects provisioning log entries for [Org.LogPage].
type LogQuery struct {
	// AppID selects one app ("" for every app).
	AppID string
	// After is the sequence number of the last entry of the previous page.
	After int64
	// Since and Until bound the entries' times (zero: unbounded).
	Since, Until time.Time
	// Descending lists newest first (After then pages backwards).
	Descending bool
	// Limit is the page size (DefaultLimit when 0, at most MaxLimit).
	Limit int
}

// LogPage lists the provisioning log one page at a time, oldest first
// unless Descending; Page.Next is the sequence number to pass as After.
func (o *Org) LogPage(ctx context.Context, q LogQuery) (Page[LogEntry], error) {
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return Page[LogEntry]{}, err
	}
	since, until := "", "9999"
	if !q.Since.IsZero() {
		since = q.Since.UTC().Format(timeLayout)
	}
	if !q.Until.IsZero() {
		until = q.Until.UTC().Format(timeLayout)
	}
	cmp, order, after := "seq > ?", "ASC", q.After
	if q.Descending {
		cmp, order = "seq < ?", "DESC"
		if after <= 0 {
			after = 1 << 62
		}
	}
	rows, err := o.db.QueryContext(ctx, `SELECT seq, entry FROM log WHERE `+cmp+` AND (? = '' OR app_id = ?) AND time >= ? AND time < ?
		ORDER BY seq `+order+` LIMIT ?`, after, q.AppID, q.AppID, since, until, limit+1)
	if err != nil {
		return Page[LogEntry]{}, err
	}
	defer rows.Close()
	var out Page[LogEntry]
	for rows.Next() {
		var seq int64
		var raw string
		if err := rows.Scan(&seq, &raw); err != nil {
			return Page[LogEntry]{}, err
		}
		if len(out.Items) == limit {
			out.Next = fmt.Sprint(out.Items[limit-1].Seq)
			break
		}
		var e LogEntry
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return Page[LogEntry]{}, err
		}
		e.Seq = seq
		out.Items = append(out.Items, e)
	}
	return out, rows.Err()
}

// appendLog records a task outcome. Errors are logged, not returned: the
// log never fails a task.
func (o *Org) appendLog(ctx context.Context, taskID int64, appID, personID, outcome string, r mockokta.TaskResult) {
	if outcome == "" {
		outcome = OutcomeFailure
		if r.OK {
			outcome = OutcomeSuccess
		}
	}
	e := LogEntry{
		Time: o.now().UTC().Truncate(time.Millisecond), AppID: appID, PersonID: personID, Login: r.User, Op: r.Operation,
		TaskID: taskID, Outcome: outcome, Message: r.Message, Warnings: r.Warnings, Authority: r.Authority,
		Status: r.Status, SCIMID: r.SCIMID,
	}
	b, _ := json.Marshal(e)
	if _, err := o.db.ExecContext(context.WithoutCancel(ctx), `INSERT INTO log(time, app_id, person_id, login, op, task_id, ok, entry) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Time.Format(timeLayout), appID, personID, r.User, string(r.Operation), taskID, r.OK, string(b)); err != nil {
		o.log.Error("provisioning log", "err", err)
		return
	}
	// The log keeps its last maxLog entries.
	if _, err := o.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM log WHERE seq <= (SELECT MAX(seq) FROM log) - ?`, maxLog); err != nil {
		o.log.Error("provisioning log: trim", "err", err)
	}
}

// Retention: the provisioning log keeps its last maxLog entries, the task
// list its last maxDone succeeded tasks (failed ones stay, to be retried).
const (
	maxLog  = 10000
	maxDone = 10000
)

// worker runs queued tasks one at a time until Close.
func (o *Org) worker() {
	defer close(o.stopped)
	for !o.closed() {
		t, lastWait, wait, err := o.next()
		if err != nil {
			o.log.Error("provisioning queue", "err", err)
			wait = time.Second
		}
		if err == nil && t != nil {
			o.run(*t, lastWait)
			continue
		}
		if wait <= 0 || wait > time.Minute {
			wait = time.Minute
		}
		timer := time.NewTimer(wait)
		select {
		case <-o.stop:
		case <-o.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// next returns the oldest runnable task: queued, due, and with no earlier
// unfinished task of the same person and app. With none, it returns how
// long until the earliest queued task is due.
func (o *Org) next() (*Task, int64, time.Duration, error) {
	ctx := context.Background()
	rows, err := o.db.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks t WHERE state = ?
		AND NOT EXISTS (SELECT 1 FROM tasks e WHERE e.app_id = t.app_id AND e.person_id = t.person_id AND e.id < t.id AND e.state IN (?, ?))
		ORDER BY id LIMIT 1000`, string(TaskQueued), string(TaskQueued), string(TaskRunning))
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	now := o.now()
	var wait time.Duration
	for rows.Next() {
		t, lastWait, err := scanTask(rows)
		if err != nil {
			return nil, 0, 0, err
		}
		if !t.NotBefore.After(now) {
			return &t, lastWait, 0, nil
		}
		if d := t.NotBefore.Sub(now); wait == 0 || d < wait {
			wait = d
		}
	}
	return nil, 0, wait, rows.Err()
}

// run runs one task with the library and stores its outcome.
func (o *Org) run(t Task, lastWait int64) {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTaskTimeout)
	o.cancelMu.Lock()
	o.cancel = cancel
	o.cancelMu.Unlock()
	defer func() {
		o.cancelMu.Lock()
		o.cancel = nil
		o.cancelMu.Unlock()
		cancel()
	}()
	if _, err := o.db.ExecContext(ctx, `UPDATE tasks SET state = ?, attempts = attempts + 1, updated = ? WHERE id = ?`, string(TaskRunning), o.stamp(), t.ID); err != nil {
		o.log.Error("provisioning queue", "task", t.ID, "err", err)
		return
	}
	t.Attempts++
	r := o.execute(ctx, t)
	if o.closed() && ctx.Err() != nil {
		// Cut by Close: back in the queue, to run again after a restart.
		_, _ = o.db.ExecContext(context.WithoutCancel(ctx), `UPDATE tasks SET state = ?, attempts = attempts - 1, updated = ? WHERE id = ?`, string(TaskQueued), o.stamp(), t.ID)
		return
	}
	o.finish(context.WithoutCancel(ctx), t, lastWait, r)
}

// execute runs the library flow of the task against a mock Okta built from
// the stored person, app and link.
func (o *Org) execute(ctx context.Context, t Task) mockokta.TaskResult {
	fail := func(format string, args ...any) mockokta.TaskResult {
		return mockokta.TaskResult{Operation: t.Op, User: t.Login, OktaID: t.PersonID,
			Message: fmt.Sprintf("Automatic provisioning of user %s failed: ", t.Login) + fmt.Sprintf(format, args...), Authority: mockokta.AuthorityOkta}
	}
	app, la, err := o.appForTask(ctx, t.AppID)
	if err != nil {
		return fail("%v", err)
	}
	if !app.Provisioning.Enabled {
		return fail("the API integration of app %s is not enabled", app.Label)
	}
	p, err := o.Person(ctx, t.PersonID)
	if err != nil {
		return fail("the person no longer exists in Okta")
	}
	dir := mockokta.NewDirectory(rand.Reader)
	dir.Put(p.User)
	mo, err := mockokta.New(la, dir, o.libraryOptions())
	if err != nil {
		return fail("%v", err)
	}
	var scimID string
	var linkActive bool
	err = o.db.QueryRowContext(ctx, `SELECT scim_id, link_active FROM assignments WHERE app_id = ? AND person_id = ?`, t.AppID, t.PersonID).Scan(&scimID, &linkActive)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fail("%v", err)
	}
	if scimID != "" {
		mo.SetLink(mockokta.Link{OktaID: p.ID, Login: p.Profile.Login, SCIMID: scimID, Active: linkActive})
	}
	login := p.Profile.Login
	var r mockokta.TaskResult
	switch t.Op {
	case mockokta.OpAssign:
		r = mo.Assign(ctx, login)
	case mockokta.OpUpdate:
		r = mo.UpdateProfile(ctx, login, p.Profile)
	case mockokta.OpUnassign:
		r = mo.Unassign(ctx, login)
	case mockokta.OpDeactivate:
		r = mo.DeactivateOktaUser(ctx, login)
	default:
		return fail("unknown task %s", t.Op)
	}
	if l, ok := mo.Link(p.ID); ok {
		_, err := o.db.ExecContext(context.WithoutCancel(ctx), `UPDATE assignments SET scim_id = ?, link_active = ? WHERE app_id = ? AND person_id = ?`, l.SCIMID, l.Active, t.AppID, t.PersonID)
		if err != nil {
			o.log.Error("provisioning queue: store the link", "task", t.ID, "err", err)
		}
	}
	return r
}

// retrySuffix is what the library appends to a task that got 429 on its
// only run; the queue words the attempts itself.
const retrySuffix = " (the task was run 1 times, each paused by a 429)"

// finish stores a task's outcome: success, failure, or a 429 pause under
// the rate-limit policy.
func (o *Org) finish(ctx context.Context, t Task, lastWait int64, r mockokta.TaskResult) {
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	r.Message = strings.TrimSuffix(r.Message, retrySuffix)
	r.Attempts = t.Attempts
	now := o.stamp()
	retryAfter, limited := mockokta.RetryAfter(r.Err)
	if !r.OK && limited && t.Attempts < o.opts.RateLimit.MaxAttempts {
		wait := o.opts.RateLimit.Next(time.Duration(lastWait)*time.Millisecond, retryAfter)
		scaled := wait
		if o.opts.WaitScale > 0 && o.opts.WaitScale != 1 {
			scaled = time.Duration(float64(wait) * o.opts.WaitScale)
		}
		if retryAfter == "" {
			retryAfter = "none"
		}
		r.Message = fmt.Sprintf("%s; run %d answered 429 (Retry-After %s): the task was paused for %s and rescheduled", r.Message, t.Attempts, retryAfter, wait)
		b, _ := json.Marshal(r)
		_, err := o.db.ExecContext(ctx, `UPDATE tasks SET state = ?, not_before = ?, last_wait_ms = ?, message = ?, result = ?, updated = ? WHERE id = ?`,
			string(TaskQueued), o.now().Add(scaled).UTC().Format(timeLayout), wait.Milliseconds(), r.Message, string(b), now, t.ID)
		if err != nil {
			o.log.Error("provisioning queue", "task", t.ID, "err", err)
		}
		o.appendLog(ctx, t.ID, t.AppID, t.PersonID, OutcomeRetry, r)
		o.log.Info("task paused by 429", "task", t.ID, "op", t.Op, "attempt", t.Attempts, "wait", wait)
		return
	}
	if !r.OK && limited {
		r.Message += fmt.Sprintf(" (the task was run %d times, each paused by a 429)", t.Attempts)
	}
	state := TaskSucceeded
	if !r.OK {
		state = TaskFailed
	}
	// The assignment and the log first: a task that is no longer pending
	// has its outcome everywhere (WaitIdle callers read them at once).
	o.updateAssignment(ctx, t, r)
	o.appendLog(ctx, t.ID, t.AppID, t.PersonID, "", r)
	b, _ := json.Marshal(r)
	if _, err := o.db.ExecContext(ctx, `UPDATE tasks SET state = ?, message = ?, result = ?, updated = ? WHERE id = ?`, string(state), r.Message, string(b), now, t.ID); err != nil {
		o.log.Error("provisioning queue", "task", t.ID, "err", err)
	}
	if _, err := o.db.ExecContext(ctx, `DELETE FROM tasks WHERE state = ? AND id <= (SELECT MAX(id) FROM tasks WHERE state = ?) - ?`,
		string(TaskSucceeded), string(TaskSucceeded), maxDone); err != nil {
		o.log.Error("provisioning queue: trim", "err", err)
	}
	o.log.Info("task done", "task", t.ID, "op", t.Op, "ok", r.OK, "attempts", t.Attempts)
}

// updateAssignment reflects a task's outcome in the (still assigned)
// assignment's status and sync state.
func (o *Org) updateAssignment(ctx context.Context, t Task, r mockokta.TaskResult) {
	var assigned, linked bool
	err := o.db.QueryRowContext(ctx, `SELECT assigned, link_active FROM assignments WHERE app_id = ? AND person_id = ?`, t.AppID, t.PersonID).Scan(&assigned, &linked)
	if err != nil || !assigned {
		return
	}
	now := o.stamp()
	switch {
	case !r.OK:
		_, err = o.db.ExecContext(ctx, `UPDATE assignments SET sync_state = ?, last_error = ?, last_updated = ? WHERE app_id = ? AND person_id = ?`,
			SyncError, r.Message, now, t.AppID, t.PersonID)
	case t.Op == mockokta.OpAssign || t.Op == mockokta.OpUpdate:
		status, sync := AssignProvisioned, SyncSynchronized
		if !linked {
			status, sync = AssignActive, SyncDisabled
		}
		_, err = o.db.ExecContext(ctx, `UPDATE assignments SET status = ?, sync_state = ?, last_error = '', last_sync = ?, last_updated = ? WHERE app_id = ? AND person_id = ?`,
			status, sync, now, now, t.AppID, t.PersonID)
	}
	if err != nil {
		o.log.Error("provisioning queue: assignment state", "task", t.ID, "err", err)
	}
}
