package exercises

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"etcdtour/runner/exercise"
)

// Election asks for a worker of the election and leader-loss lessons: it
// leads, writes only while it leads, steps down, and notices when its
// session ended.
var Election = exercise.Exercise{
	ID:     "election",
	Title:  "Lead, write only while you lead, step down, and notice when you no longer lead",
	Lesson: "leader-loss",
	Doc:    "docs/leader-loss.md",
	Hints: []string{
		"e := concurrency.NewElection(s, election); e.Campaign(ctx1, name) waits until every older key under the election is gone. Resign deletes your key: the next candidate leads at once.",
		"Campaign returns nil even when your own key went while you waited (etcd-io/etcd#11051): after it, ask e.Leader and lead only if its key is e.Key().",
		"A leader's write must require its key, in the same Txn: If(clientv3.Compare(clientv3.CreateRevision(e.Key()), \"=\", e.Rev())). A look at s.Done() before a plain Put can come just before the loss.",
		"The session's Done() closes when its lease is lost, whoever revoked it: that is when a leader learns it no longer leads.",
	},
	Files:   files("election"),
	Members: 1,
	Checks:  electionChecks,
	Mistakes: []exercise.Mistake{
		{Dir: "never-resign", Bug: "Resign does not delete the key: the next candidate waits for the session to end", Check: elLead, Says: "e.Resign"},
		{Dir: "unfenced-write", Bug: "Campaign returned, so \"I lead\": Write is a plain Put", Check: elNoticed, Says: "nothing in a Put asks etcd"},
		{Dir: "lost-on-resign-only", Bug: "Lost is a channel of its own, closed by Resign only: a lost lease goes unnoticed", Check: elNoticed, Says: "s.Done()"},
		{Dir: "done-then-write", Bug: "s.Done() looked at, then a plain Put: the lease can go in between", Check: elInFlight, Says: "look at s.Done()"},
		{Dir: "campaign-trusted", Bug: "Campaign's nil taken for leading: a candidate whose key vanished while it queued believes it leads", Check: elVanished, Says: "etcd-io/etcd#11051"},
	},
}

const (
	elLead     = "you campaign alone: you lead, your write goes in, and Resign hands the lead to the candidate waiting"
	elNoticed  = "your lease revoked while you lead: the next candidate leads, your Lost() closes, and your write is refused"
	elInFlight = "your lease revoked while your write is on its way: the next candidate leads, and etcd refuses your write"
	elVanished = "your key gone while you wait in the queue: Campaign says you do not lead"
)

// elArgs are the arguments of candidate cand's calls.
func elArgs(cand int, more ...string) map[string]any {
	a := map[string]any{"Candidate": cand, "Election": "election", "Name": []string{"node-1", "node-2"}[cand]}
	for i := 0; i+1 < len(more); i += 2 {
		a[more[i]] = more[i+1]
	}
	return a
}

var electionChecks = []exercise.Check{{
	Name: elLead,
	Step: "election, step 2 (Candidate 1 campaigns, and wins at once) and step 4 (Candidate 2 campaigns and waits; candidate 1 resigns)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		if _, err := lead(ctx, c); err != nil {
			return err
		}
		var wrote bool
		if err := c.Call(ctx, "Write", elArgs(0, "Key", "config", "Value", "from node-1"), &wrote); err != nil {
			return err
		}
		v, ok, err := read(ctx, c, "config")
		if err != nil {
			return err
		}
		switch {
		case !ok || v != "from node-1":
			return c.Fail("your Worker leads, and after its Write the key config holds %s, want %q: write the value you were given to the key you were given", quote(v, ok), "from node-1")
		case !wrote:
			return c.Fail("your Worker leads and its write went in, but Write returned false: return resp.Succeeded")
		}
		second, err := queue(ctx, c)
		if err != nil {
			return err
		}
		if err := c.Call(ctx, "Resign", elArgs(0), nil); err != nil {
			return err
		}
		switch err := waitFor(ctx, second, 3*time.Second); {
		case errors.Is(err, errNoPause):
			return c.Fail("your leader's Resign returned, and 3 s later the candidate waiting still waits: its key is still there. Resign with e.Resign, which deletes it")
		case err != nil:
			return err
		}
		return nil
	},
}, {
	Name: elNoticed,
	Step: "leader-loss, step 2 (Candidate 1's session expires, and candidate 2 leads) and step 3 (What a leader that lost its session must not assume)",
	// Lost may take 6 s to fail: more than the default limit on a busy machine.
	Timeout: 20 * time.Second,
	Run: func(ctx context.Context, c *exercise.Code) error {
		lease, err := lead(ctx, c)
		if err != nil {
			return err
		}
		second, err := queue(ctx, c)
		if err != nil {
			return err
		}
		if err := revoke(ctx, c, lease); err != nil {
			return err
		}
		if err := secondLeads(ctx, c, second); err != nil {
			return err
		}
		var lost bool
		if err := c.Call(ctx, "Lost", map[string]any{"Candidate": 0, "WaitMs": 6000}, &lost); err != nil {
			return err
		}
		if !lost {
			return c.Fail("the checker revoked your leader's lease, and 6 s later its Lost() is still open: nothing told your Worker. The session's s.Done() closes when its lease is lost: return it, or close Lost when it closes")
		}
		var wrote bool
		if err := c.Call(ctx, "Write", elArgs(0, "Key", "config", "Value", "from node-1"), &wrote); err != nil {
			return err
		}
		return refused(ctx, c, wrote, func() error {
			return c.Fail("the checker revoked your leader's lease, another candidate leads, and your leader's Lost() had closed; its Write still went in: nothing in a Put asks etcd whether you lead. Write in a Txn that requires your key: If(clientv3.Compare(clientv3.CreateRevision(e.Key()), \"=\", e.Rev()))")
		})
	},
}, {
	Name: elInFlight,
	Step: "leader-loss, step 3 (What a leader that lost its session must not assume)",
	Run: func(ctx context.Context, c *exercise.Code) error {
		lease, err := lead(ctx, c)
		if err != nil {
			return err
		}
		second, err := queue(ctx, c)
		if err != nil {
			return err
		}
		if err := c.PauseBefore("Txn|Put"); err != nil {
			return err
		}
		r := c.Start("Write", elArgs(0, "Key", "config", "Value", "from node-1"))
		paused, err := pauseOrReturn(ctx, c, r, 3*time.Second)
		switch {
		case errors.Is(err, errNoPause):
			return c.Fail("your leader's Write did not write within 3 s: write in a Txn that requires your key")
		case err != nil:
			return err
		case !paused:
			return c.Fail("your leader's Write returned without writing, while it leads: write in a Txn that requires your key")
		}
		if err := revoke(ctx, c, lease); err != nil {
			return err
		}
		if err := secondLeads(ctx, c, second); err != nil {
			return err
		}
		if err := c.Resume(); err != nil {
			return err
		}
		var wrote bool
		if err := r.Wait(ctx, &wrote); err != nil {
			return err
		}
		return refused(ctx, c, wrote, func() error {
			return c.Fail("the checker revoked your leader's lease after your code's last look and before etcd got its write, and another candidate leads; the write still went in. A look at s.Done() or at the leader before a plain Put cannot see a loss in between: make etcd check in the write itself, a Txn that requires your key")
		})
	},
}, {
	Name: elVanished,
	Step: "leader-loss, step 4 (A waiter whose session ends: Campaign returns nil, not leading)",
	Run:  keyVanished,
}}

// lead makes candidate 0 lead (the election is free) and returns the
// lease of its key.
func lead(ctx context.Context, c *exercise.Code) (clientv3.LeaseID, error) {
	if err := c.Call(ctx, "Campaign", elArgs(0), nil); err != nil {
		return 0, err
	}
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	resp, err := c.Etcd.Get(ctx1, "election/", clientv3.WithFirstCreate()...)
	cancel()
	if err != nil {
		return 0, err
	}
	if len(resp.Kvs) == 0 || resp.Kvs[0].Lease == 0 {
		return 0, c.Fail("Campaign returned a Worker, and there is no key under the election: campaign with concurrency.NewElection(s, election) and e.Campaign")
	}
	return clientv3.LeaseID(resp.Kvs[0].Lease), nil
}

// queue starts candidate 1's Campaign and returns once its key is
// queued: after the response of its Txn.
func queue(ctx context.Context, c *exercise.Code) (*exercise.Running, error) {
	if err := c.PauseAfter("Txn"); err != nil {
		return nil, err
	}
	r := c.Start("Campaign", elArgs(1))
	paused, err := pauseOrReturn(ctx, c, r, 3*time.Second)
	switch {
	case errors.Is(err, errNoPause):
		return nil, c.Fail("a second candidate's Campaign did not queue within 3 s: campaign with e.Campaign, which puts your key in the queue")
	case err != nil:
		return nil, err
	case !paused:
		return nil, c.Fail("a second candidate's Campaign returned at once, while your first leads: Campaign must wait until it leads")
	}
	return r, c.Resume()
}

// waitFor waits at most limit for r to return; errNoPause if it did not.
func waitFor(ctx context.Context, r *exercise.Running, limit time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	err := r.Wait(wctx, nil)
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		return errNoPause
	}
	return err
}

// secondLeads waits for candidate 1's Campaign, once candidate 0's lease
// was revoked.
func secondLeads(ctx context.Context, c *exercise.Code, second *exercise.Running) error {
	switch err := waitFor(ctx, second, 3*time.Second); {
	case errors.Is(err, errNoPause):
		return c.Fail("the checker revoked your leader's lease, its key went, and 3 s later the candidate waiting does not lead: Campaign waits until the older keys are gone")
	case err != nil:
		return err
	}
	return nil
}

// refused fails unless the old leader's write of config is refused and
// Write said so; in is the finding when it went in.
func refused(ctx context.Context, c *exercise.Code, wrote bool, in func() error) error {
	v, ok, err := read(ctx, c, "config")
	if err != nil {
		return err
	}
	switch {
	case ok && v == "from node-1":
		return in()
	case wrote:
		return c.Fail("etcd refused your old leader's write, but Write returned true: return resp.Succeeded")
	}
	return nil
}

// keyVanished: the checker leads; candidate 0 queues; the checker revokes
// its lease, so that its key goes, and resigns: Campaign returns nil
// (etcd-io/etcd#11051), and the learner's must not say it leads.
func keyVanished(ctx context.Context, c *exercise.Code) error {
	s, err := concurrency.NewSession(c.Etcd, concurrency.WithTTL(5), concurrency.WithContext(ctx))
	if err != nil {
		return err
	}
	defer s.Close()
	e := concurrency.NewElection(s, "election")
	ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = e.Campaign(ctx1, "the checker")
	cancel()
	if err != nil {
		return err
	}
	if err := c.PauseAfter("Txn"); err != nil {
		return err
	}
	r := c.Start("Campaign", elArgs(0))
	paused, err := pauseOrReturn(ctx, c, r, 3*time.Second)
	switch {
	case errors.Is(err, errNoPause):
		return c.Fail("the checker leads, and your Campaign did not queue within 3 s: campaign with e.Campaign")
	case err != nil:
		return err
	case !paused:
		return c.Fail("the checker leads, and your Campaign returned at once: Campaign must wait until it leads")
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	queued, err := c.Etcd.Get(ctx1, "election/", clientv3.WithPrefix(), clientv3.WithSort(clientv3.SortByCreateRevision, clientv3.SortAscend))
	cancel()
	if err != nil {
		return err
	}
	if len(queued.Kvs) != 2 {
		return c.Fail("the checker leads, and after your Campaign's Txn there is no key of yours queued under the election: campaign with e.Campaign")
	}
	if err := revoke(ctx, c, clientv3.LeaseID(queued.Kvs[1].Lease)); err != nil {
		return err
	}
	if err := c.Resume(); err != nil {
		return err
	}
	ctx1, cancel = context.WithTimeout(ctx, 5*time.Second)
	err = e.Resign(ctx1)
	cancel()
	if err != nil {
		return err
	}
	var ce *exercise.CallError
	switch err := waitFor(ctx, r, 3*time.Second); {
	case err == nil:
		return c.Fail("your candidate's key went while it waited (the checker revoked its lease), then the checker resigned; Campaign returned a Worker: it believes it leads, and leads nothing. e.Campaign returns nil then too (etcd-io/etcd#11051): after it, lead only if e.Leader names your key")
	case errors.Is(err, errNoPause):
		return c.Fail("your candidate's key went while it waited, then the checker resigned, and 3 s later your Campaign has not returned: after e.Campaign, ask e.Leader and return an error if it does not name your key")
	case errors.As(err, &ce):
		return nil // it said it does not lead
	}
	return err
}
