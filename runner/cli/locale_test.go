package cli

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestLocaleNotUTF8: a Chinese locale whose codeset is not UTF-8 gets
// English and one line saying why, not UTF-8 Chinese its terminal garbles.
func TestLocaleNotUTF8(t *testing.T) {
	t.Parallel()
	r := inProcess(map[string]string{"LANG": "zh_CN.GB18030"}, "list")
	if r.code != exitOK || !strings.Contains(r.stdout, "Install check") {
		t.Errorf("LANG=zh_CN.GB18030 list: exit %d, stdout %q; want the lessons in English", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, "LANG=zh_CN.GB18030") || !strings.Contains(r.stderr, "UTF-8") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("LANG=zh_CN.GB18030 list: stderr %q; want one line naming the locale", r.stderr)
	}
	r = inProcess(map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "zh_CN:en"}, "list")
	if !strings.Contains(r.stdout, "安装检查") || r.stderr != "" {
		t.Errorf("LANGUAGE=zh_CN:en list: stdout %q, stderr %q; want Chinese", r.stdout, r.stderr)
	}
}

// TestStdoutClosed: started with its stdout closed, etcdtour fails at
// once with one line, instead of running the whole course unseen and
// exiting 0; a stdout sent to /dev/null is the user's choice.
func TestStdoutClosed(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, redirect := range []string{">&-", ">/dev/null"} {
		cmd := exec.Command("sh", "-c", `exec "$0" --json run put-get `+redirect, bin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Run()
		code := cmd.ProcessState.ExitCode()
		if redirect == ">&-" && (code != exitFailed || !strings.Contains(stderr.String(), "stdout is closed")) {
			t.Errorf("etcdtour %s: exit %d, stderr %q; want 1 and a line about stdout", redirect, code, stderr.String())
		}
		if redirect == ">/dev/null" && code != exitOK {
			t.Errorf("etcdtour %s: exit %d, stderr %q; want 0", redirect, code, stderr.String())
		}
	}
}
