package lessons

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// PutGet shows what etcd records about a key: its revisions and version.
var PutGet = runner.Lesson{
	ID:    "put-get",
	Title: "Put and Get",
	Doc: "Write and read keys, and see what etcd records about each: " +
		"create_revision, mod_revision, " +
		"version, and the store's revision.",
	Run: putGet,
}

func putGet(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("Put a key")
	value := "xiaomotong"
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	put, err := cli.Put(ctx1, "name", value)
	cancel()
	if err != nil {
		return err
	}
	rev1 := put.Header.Revision
	t.Result("header revision=%d", rev1)
	t.Say(`Each write request gets the next revision: one counter for
the whole store, not one per key.`)

	t.Step("Get it back")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "name")
	cancel()
	if err != nil {
		return err
	}
	if len(get.Kvs) != 1 {
		return fmt.Errorf("%q: %d keys, want 1", "name", len(get.Kvs))
	}
	kv := get.Kvs[0]
	t.Result("%s", kvString(kv))
	t.Equal(string(kv.Value), value, "the value is what we put")
	t.Equal(kv.CreateRevision, rev1, "create_revision is the put's revision")
	t.Equal(kv.ModRevision, rev1, "mod_revision is the put's revision")
	t.Equal(kv.Version, int64(1), "version is 1: the key was written once")

	t.Step("Overwrite it, asking for the previous value")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	put, err = cli.Put(ctx1, "name", "etcd", clientv3.WithPrevKV())
	cancel()
	if err != nil {
		return err
	}
	rev2 := put.Header.Revision
	if put.PrevKv != nil {
		t.Result("previous: %s", kvString(put.PrevKv))
	}
	t.Check(put.PrevKv != nil, "WithPrevKV returns the old key-value pair")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err = cli.Get(ctx1, "name")
	cancel()
	if err != nil {
		return err
	}
	if len(get.Kvs) != 1 {
		return fmt.Errorf("%q: %d keys, want 1", "name", len(get.Kvs))
	}
	kv = get.Kvs[0]
	t.Result("%s", kvString(kv))
	t.Say(`create_revision stays, mod_revision moves to the new
revision, version counts the writes.`)
	t.Equal(kv.CreateRevision, rev1, "create_revision unchanged")
	t.Equal(kv.ModRevision, rev2, "mod_revision is the overwrite's revision")
	t.Equal(kv.Version, int64(2), "version is 2")

	t.Step("Put three keys in one transaction, get them by prefix")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	txn, err := cli.Txn(ctx1).Then(
		clientv3.OpPut("dir/a", "1"),
		clientv3.OpPut("dir/b", "2"),
		clientv3.OpPut("dir/c", "3"),
	).Commit()
	cancel()
	if err != nil {
		return err
	}
	rev3 := txn.Header.Revision
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err = cli.Get(ctx1, "dir/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	keys := ""
	for _, kv := range get.Kvs {
		t.Result("%s", kvString(kv))
		keys += fmt.Sprintf("%s@%d ", kv.Key, kv.ModRevision)
	}
	t.Say("One request, one revision: all three keys have the Txn's.")
	want := fmt.Sprintf("dir/a@%d dir/b@%d dir/c@%d ", rev3, rev3, rev3)
	t.Equal(keys, want, "three keys, sorted, at revision %d", rev3)

	t.Step("Delete a key, then a prefix, then nothing")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	del, err := cli.Delete(ctx1, "name", clientv3.WithPrevKV())
	cancel()
	if err != nil {
		return err
	}
	t.Result("deleted=%d, revision=%d", del.Deleted, del.Header.Revision)
	t.Equal(del.Deleted, int64(1), "one key deleted")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	del, err = cli.Delete(ctx1, "dir/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	t.Result("deleted=%d, revision=%d", del.Deleted, del.Header.Revision)
	t.Equal(del.Deleted, int64(len(get.Kvs)), "the prefix delete removed "+
		"all %d", len(get.Kvs))
	// One revision before the delete, all three keys still existed.
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	before, err := cli.Get(ctx1, "dir/", clientv3.WithPrefix(),
		clientv3.WithRev(del.Header.Revision-1))
	cancel()
	if err != nil {
		return err
	}
	t.Equal(len(before.Kvs), len(get.Kvs), "at revision %d, one before "+
		"the delete, all %d keys exist", del.Header.Revision-1, len(get.Kvs))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	none, err := cli.Delete(ctx1, "dir/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return err
	}
	t.Result("deleted=%d, revision=%d", none.Deleted, none.Header.Revision)
	t.Say(`A delete that matches nothing changes nothing and takes no
revision: its header shows the store's revision as it was.`)
	t.Equal(none.Deleted, int64(0), "nothing left to delete")
	return nil
}
