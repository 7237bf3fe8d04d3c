package exercises

import "maps"

// chinese is the Chinese of the exercises: titles, hints, the checks'
// lines and findings, the lesson steps they point to, and the workspace's
// README. TestChinese proves each exercise's texts are here.
var chinese = map[string]string{
	// put-get
	"Count a visit: read, write back, and return your write's revision":                          "记一次访问：读出、写回，并返回你这次写入的 revision",
	"A missing key is a Get with no Kvs: len(resp.Kvs) == 0, and the count is 0.":                "不存在的 key，Get 的结果里没有 Kvs：len(resp.Kvs) == 0，计数就是 0。",
	"The revision etcd gave your write is in the Put's response: put.Header.Revision.":           "etcd 给你这次写入的 revision 在 Put 的响应里：put.Header.Revision。",
	"The Get's revision + 1 is a guess: another client may write between your Get and your Put.": "Get 的 revision + 1 只是猜测：别的客户端可能在你的 Get 和 Put 之间写入。",
	visitNew:     "一个不存在的 key：计数为 1，revision 是你的 Put 的",
	visitAgain:   "同一个 key 再来一次：计数为 2，version 为 2，create_revision 不变",
	visitOthers:  "别的客户端写入的计数：41 变成 42",
	visitBetween: "你的 Get 和 Put 之间有另一次写入：revision 必须是你这次写入的",
	"put-get, step 1 (Put a key) and step 2 (Get it back)":                                                                      "put-get，第 1 步（写入一个 key）和第 2 步（把它读回来）",
	"put-get, step 3 (Overwrite it, asking for the previous value)":                                                             "put-get，第 3 步（覆盖它，同时要回旧值）",
	"put-get, step 2 (Get it back)":                                                                                             "put-get，第 2 步（把它读回来）",
	"put-get, step 1 (Put a key): each write gets the next revision of the whole store":                                         "put-get，第 1 步（写入一个 key）：每次写入都拿到整个存储的下一个 revision",
	"after Visit the key %s does not exist: Put the new count to the key you were given":                                        "Visit 之后 key %s 不存在：请把新的计数 Put 到传给你的那个 key",
	"the key held %s before Visit; Visit returned count %d, want %d: read the count from etcd (a missing key is 0) and add one": "Visit 之前 key 的值是 %s；Visit 返回的计数是 %d，应为 %d：请从 etcd 读出计数（key 不存在时为 0）再加一",
	"after Visit the key holds %q, want %q: Put the new count as a decimal string (strconv.Itoa)":                               "Visit 之后 key 的值是 %q，应为 %q：请把新的计数写成十进制字符串再 Put（strconv.Itoa）",
	"the checker wrote another key at revision %d, between your Get and your Put; Visit returned %d, but your Put got %d (the key's mod_revision): return put.Header.Revision, not a guess from the Get": "检查器在你的 Get 和 Put 之间、在 revision %d 写了另一个 key；Visit 返回了 %d，但你的 Put 拿到的是 %d（key 的 mod_revision）：请返回 put.Header.Revision，不要根据 Get 去猜",
	"Visit returned revision %d, but etcd applied your write at revision %d (the key's mod_revision): return the Put's put.Header.Revision":                                                              "Visit 返回的 revision 是 %d，但 etcd 是在 revision %d 应用你的写入的（key 的 mod_revision）：请返回 Put 的 put.Header.Revision",
	"the key's version is %d after this Visit, want %d: one Put per Visit, and no Delete (a delete starts the version again)":                                                                            "这次 Visit 之后 key 的 version 是 %d，应为 %d：每次 Visit 只 Put 一次，不要 Delete（删除会让 version 从头算起）",
	"the key was created again by this Visit (create_revision %d): overwrite it with Put, do not delete it first":                                                                                        "这次 Visit 把 key 重新创建了一遍（create_revision %d）：请直接用 Put 覆盖，不要先删除",
	"Visit sent no Get: read the count with cli.Get before you write it":                                                                                                                                 "Visit 没有发出 Get：写入之前请先用 cli.Get 读出计数",

	// The workspace's README (its text is in _code/README*.md).
	"lesson %s, %s": "课程 %s，%s",
}

// Chinese returns the Chinese of the exercises, keyed by their English.
func Chinese() map[string]string { return maps.Clone(chinese) }
