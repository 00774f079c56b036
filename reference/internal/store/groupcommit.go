package store

import (
	"context"
	"errors"
	"time"
)

// Group commit of user creations.
//
// With synchronous=FULL every commit waits for an fsync, so one transaction
// per POST caps creations at the disk's fsync rate. Instead, CreateUser hands
// its user to a committer goroutine that takes every creation waiting at
// that moment (up to maxGroup) and inserts them in one transaction, each
// under its own savepoint: a creation that fails (a userName taken, a
// location gone) is rolled back to its savepoint alone and the others go on.
// One commit, one fsync, then every caller gets its own result. A caller
// returns only after the commit of its group, so a success is durable.
// No delay is added: while one group commits, the next one gathers.

// maxGroup bounds the creations of one transaction.
const maxGroup = 256

// maxLinger bounds how long a group waits for the callers of the previous
// groups to come back. Callers that just got their answer send their next
// creation a few microseconds later; a group that starts without them
// would commit alone and make them wait a whole fsync. The wait ends as soon
// as the group is as large as the recent ones, so it costs nothing under
// a steady load and at most maxLinger once when the load drops.
const maxLinger = 300 * time.Microsecond

// groupTimeout bounds one group's transaction.
const groupTimeout = 30 * time.Second

// errStoreClosed answers writes queued after Close.
var errStoreClosed = errors.New("store: closed")

// CreateReq is one creation waiting for its group.
type CreateReq struct {
	U    User // prepared (PrepareNewUser)
	done chan CreateRes
}

// CreateRes is the outcome of one creation.
type CreateRes struct {
	U   User  // the stored user (Seq set)
	Err error // why it was not stored
}

// GroupFunc runs a group in one transaction. It sets res[i] for each
// creation that failed alone (its savepoint rolled back) or succeeded, and
// returns an error when the transaction itself failed, in which case no
// creation of the group was stored.
type GroupFunc func(ctx context.Context, reqs []*CreateReq, res []CreateRes) error

// GroupCommitter serialises creations into groups (see above).
type GroupCommitter struct {
	reqs    chan *CreateReq
	run     GroupFunc
	stop    chan struct{}
	stopped chan struct{}
}

// NewGroupCommitter starts a committer that runs groups with run; Close
// stops it. Backends in other packages (PostgreSQL) use it too.
func NewGroupCommitter(run GroupFunc) *GroupCommitter {
	g := &GroupCommitter{reqs: make(chan *CreateReq, maxGroup), run: run,
		stop: make(chan struct{}), stopped: make(chan struct{})}
	go g.loop()
	return g
}

// Create queues u and waits for the commit of its group. Once queued, the
// caller waits for the outcome even if ctx ends, so that it never reports
// a failure for a user that was stored.
func (g *GroupCommitter) Create(ctx context.Context, u User) (User, error) {
	req := &CreateReq{U: u, done: make(chan CreateRes, 1)}
	select {
	case <-ctx.Done():
		return User{}, ctx.Err()
	case <-g.stop:
		return User{}, errStoreClosed
	case g.reqs <- req:
	}
	select {
	case res := <-req.done:
		return res.U, res.Err
	case <-g.stopped:
		// Every answer is sent before stopped closes: one sent is here now.
		select {
		case res := <-req.done:
			return res.U, res.Err
		default:
			return User{}, errStoreClosed
		}
	}
}

func (g *GroupCommitter) loop() {
	defer close(g.stopped)
	batch := make([]*CreateReq, 0, maxGroup)
	prev := 1
	linger := time.NewTimer(maxLinger)
	linger.Stop()
	for {
		batch = batch[:0]
		select {
		case <-g.stop:
			g.drain()
			return
		case r := <-g.reqs:
			batch = append(batch, r)
		}
	gather:
		for len(batch) < maxGroup {
			select {
			case r := <-g.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		if len(batch) < prev {
			linger.Reset(maxLinger)
		wait:
			for len(batch) < prev {
				select {
				case r := <-g.reqs:
					batch = append(batch, r)
				case <-linger.C:
					break wait
				}
			}
			linger.Stop()
		}
		// The expected size follows the groups seen, shrinking by one per
		// group when the load drops.
		prev = max(len(batch), prev-1)
		g.commit(batch)
	}
}

// commit runs one group and answers its callers.
func (g *GroupCommitter) commit(batch []*CreateReq) {
	res := make([]CreateRes, len(batch))
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	err := g.run(ctx, batch, res)
	cancel()
	for i, r := range batch {
		if err != nil {
			res[i] = CreateRes{Err: err}
		}
		r.done <- res[i]
	}
}

// drain answers the creations still queued at Close: they were never stored.
func (g *GroupCommitter) drain() {
	for {
		select {
		case r := <-g.reqs:
			r.done <- CreateRes{Err: errStoreClosed}
		default:
			return
		}
	}
}

// Close stops the committer after the group in progress.
func (g *GroupCommitter) Close() {
	close(g.stop)
	<-g.stopped
}
